"""Which Baton a flow reports to: the agent's run (run token), a profile or key (ad-hoc), or none.

Profiles are the CLI's (agent/config/profiles.ts): `~/.baton/config.json`, moved by BATON_HOME,
the profile chosen by BATON_PROFILE or the file's "current"; BATON_API_URL and BATON_API_KEY
override it.
"""
import json
import os
import threading


class ConfigError(RuntimeError):
    """The CLI's configuration is unreadable or names a profile that does not exist."""


def config_path():
    home = os.environ.get("BATON_HOME") or os.path.join(os.path.expanduser("~"), ".baton")
    return os.path.join(home, "config.json")


def read_config():
    path = config_path()
    if not os.path.exists(path):
        return {"current": None, "profiles": {}}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError):
        raise ConfigError(f"{path} is not valid JSON. Fix it or delete it and run `baton login` again.") from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles", {}), dict):
        raise ConfigError(f"{path} is not a Baton configuration. Fix it or delete it and run `baton login` again.")
    return {"current": data.get("current"), "profiles": data.get("profiles") or {}}


def resolve_connection():
    """{"url", "key"} for an ad-hoc run, or None (run locally)."""
    config = read_config()
    chosen = os.environ.get("BATON_PROFILE") or config["current"]
    profile = config["profiles"].get(chosen) if chosen else None
    if os.environ.get("BATON_PROFILE") and not profile:
        raise ConfigError(f'No profile named "{os.environ["BATON_PROFILE"]}" (BATON_PROFILE). Run `baton profile ls` to see yours.')
    profile = profile if isinstance(profile, dict) else {}
    url = os.environ.get("BATON_API_URL") or profile.get("url")
    key = os.environ.get("BATON_API_KEY") or profile.get("key")
    if not url or not key:
        return None
    return {"url": url.rstrip("/"), "key": key}


_taken = False
_taken_lock = threading.Lock()


def take_agent_run():
    """The run an agent started this process for, once: the first top-level flow call reports to it."""
    global _taken
    run_id, token, url = os.environ.get("BATON_RUN_ID"), os.environ.get("BATON_RUN_TOKEN"), os.environ.get("BATON_API_URL")
    if not (run_id and token and url):
        return None
    with _taken_lock:
        if _taken:
            return None
        _taken = True
    try:
        attempt = int(os.environ.get("BATON_RUN_ATTEMPT") or 1)
    except ValueError:
        attempt = 1
    return {"run_id": run_id, "token": token, "url": url.rstrip("/"), "attempt": attempt}
