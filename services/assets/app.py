"""Assets: brand assets checked by content, stored content-addressed."""
from services.common.errors import problem_response
from services.common.partner_header import name_the_partner
from services.common.webapp import create_service_app

from . import api
from .domain import AssetRejected
from .runtime import make_runtime
from .storage import make_storage


def create_app(config=None, verifier=None, storage=None):
    """The assets web app; `storage` defaults to S3 or the local folder, as configured."""
    runtime = make_runtime(config)
    storage = storage or make_storage(runtime.config)
    app, _ = create_service_app(runtime, "Assets", [api.partner_assets, api.files],
                                ready_checks={"storage": storage.ping}, verifier=verifier)
    name_the_partner(app)  # the gateway's write-through trusts this, not the path it was sent
    app.extensions["asset_storage"] = storage
    app.register_error_handler(
        AssetRejected, lambda exc: problem_response(exc.status, exc.code, exc.detail))
    return app
