from .organizations import Contact, Organization, Qualification
from .people import Person
from .platforms import Platform

__all__ = ["Organization", "Qualification", "Contact", "Person", "Platform"]
