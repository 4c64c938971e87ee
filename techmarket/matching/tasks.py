"""Background work of search and matching (run by the task worker)."""
from __future__ import annotations

from django_tasks import task

from techmarket.scheduling.registry import periodic_job


@task()
def search_index_update(keys: list[str]) -> dict:
    """Analyse and write the records behind ``keys``; records that are gone leave the index."""
    from .engines import index_now

    upserted, deleted = index_now(keys)
    return {"upserted": upserted, "deleted": deleted}


@periodic_job(name="search_index_refresh", cron="15 2 * * *",
              description="每日重建检索索引：领域词典更新后重新分词，过期记录的公开状态随之更新")
@task()
def search_index_refresh() -> int:
    from .services import search_reindex

    return search_reindex()
