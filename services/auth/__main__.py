from libs.common.runtime import serve
from services.auth.app import build_app
from services.auth.settings import AuthSettings

settings = AuthSettings()
serve(build_app(settings), settings)
