"""OpenSubsonic under /rest: existing Subsonic players (DSub, Symfonium, Feishin, Substreamer,
Amperfy...) browse, search, star, keep playlists, stream and scrobble, through the same
services and plan rules as the web player. Translation only: no rule lives here."""
