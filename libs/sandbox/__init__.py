"""Local TikTok Shop Open API (202309) sandbox: API host, auth host and a control API in one process.

Entry points: :func:`libs.sandbox.app.create_app` and ``python -m libs.sandbox``.
"""
