"""URLs of the tandem-pairing domain."""

app_name = "tandems"
urlpatterns: list = []
