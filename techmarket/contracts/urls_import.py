from django.urls import path  # noqa: F401

app_name = "contract_imports"
urlpatterns: list = []
