"""The REST API: everything under /api/v1/, OpenAPI at /api/openapi.json, docs at /api/docs."""
from ninja import NinjaAPI

from techmarket.core.api import ApiAuth, install_error_handlers

api = NinjaAPI(
    title="科技大市场 API",
    version="1.0",
    description="科技大市场（技术市场与技术转移管理平台）对外接口。认证：`Authorization: Bearer TOKEN`"
                "（`techmarket api_token 用户名` 生成）或登录会话。",
    auth=ApiAuth(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)


def _register() -> None:
    from techmarket.accounts.api import router as accounts_router
    from techmarket.achievements.api import router as achievements_router
    from techmarket.directory.api import router as directory_router
    from techmarket.disclosure.api import router as disclosure_router
    from techmarket.demands.api import router as demands_router
    from techmarket.challenges.api import router as challenges_router
    from techmarket.listings.api import router as listings_router
    from techmarket.auctions.api import router as auctions_router
    from techmarket.deals.api import router as deals_router
    from techmarket.contracts.api import router as contracts_router
    from techmarket.contracts.api_import import router as contract_imports_router
    from techmarket.contractstats.api import router as contractstats_router
    from techmarket.integrity.api import router as integrity_router
    from techmarket.subsidies.api import router as subsidies_router
    from techmarket.targets.api import router as targets_router
    from techmarket.events.api import router as events_router
    from techmarket.feedback.api import router as feedback_router
    from techmarket.notifications.api import router as notifications_router
    from techmarket.portal.api import router as portal_router
    from techmarket.matching.api import router as matching_router
    from techmarket.regions.api import router as regions_router
    from techmarket.taxonomies.api import router as taxonomies_router

    api.add_router("/v1/", regions_router)
    api.add_router("/v1/", taxonomies_router)
    api.add_router("/v1/", directory_router)
    api.add_router("/v1/", accounts_router)
    api.add_router("/v1/", notifications_router)
    api.add_router("/v1/", feedback_router)
    api.add_router("/v1/", disclosure_router)
    api.add_router("/v1/", portal_router)
    api.add_router("/v1/", matching_router)
    api.add_router("/v1/", achievements_router)
    api.add_router("/v1/", demands_router)
    api.add_router("/v1/", challenges_router)
    api.add_router("/v1/", listings_router)
    api.add_router("/v1/", auctions_router)
    api.add_router("/v1/", deals_router)
    api.add_router("/v1/", contracts_router)
    api.add_router("/v1/", contract_imports_router)
    api.add_router("/v1/", contractstats_router)
    api.add_router("/v1/", integrity_router)
    api.add_router("/v1/", subsidies_router)
    api.add_router("/v1/", targets_router)
    api.add_router("/v1/", events_router)


_register()
