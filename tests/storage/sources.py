"""Campaign sources the storage tests share (one definition, imported where needed)."""

POSTER = {
    "code": "poster-01",
    "name": "Poster",
    "channel": "poster",
    "locale": "my",
    "partner": "",
    "origin": "file",
}
