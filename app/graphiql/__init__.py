"""GraphiQL, served by the app itself from pinned, verified files: no CDN, no internet."""
