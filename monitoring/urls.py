"""Staff pages of the monitoring app (filled in by its issue)."""

app_name = "monitoring"
urlpatterns = []
