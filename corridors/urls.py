"""Staff pages of the corridors app (filled in by its issue)."""

app_name = "corridors"
urlpatterns = []
