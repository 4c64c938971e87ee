"""Saving or deleting an indexed record queues it for the index worker after the transaction commits."""
from __future__ import annotations

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from techmarket.achievements.models import Achievement
from techmarket.demands.models import Demand
from techmarket.directory.models import Organization, Person

from .documents import key_for
from .engines import index_later
from .models import DocType

_TYPES = {Achievement: DocType.ACHIEVEMENT, Demand: DocType.DEMAND, Person: DocType.EXPERT,
          Organization: DocType.ORGANIZATION}


@receiver(post_save)
@receiver(post_delete)
def _record_changed(sender, instance, raw=False, **kwargs):
    doc_type = _TYPES.get(sender)
    if doc_type is None or raw or instance.pk is None:
        return
    index_later([key_for(doc_type, instance.pk)])


@receiver(m2m_changed, sender=Person.tech_fields.through)
@receiver(m2m_changed, sender=Person.disciplines.through)
@receiver(m2m_changed, sender=Organization.tech_fields.through)
def _fields_changed(sender, instance, action, reverse=False, **kwargs):
    if action.startswith("post_") and not reverse and type(instance) in _TYPES:
        index_later([key_for(_TYPES[type(instance)], instance.pk)])
