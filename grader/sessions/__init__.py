"""Student sessions: the attempts store, the session loop, review scheduling, history and stats views."""
