"""Staff pages of the antipoaching app (filled in by its issue)."""

app_name = "antipoaching"
urlpatterns = []
