"""gunicorn settings for production: the app on PostgreSQL behind a reverse proxy.

    SECRET_KEY=… DATABASE_URL=postgresql+psycopg://… TRUSTED_PROXY_COUNT=1 \
        .venv/bin/gunicorn -c deploy/gunicorn.conf.py

Any setting here can be overridden on the command line (`--bind`, `--workers`, …);
WEB_CONCURRENCY sets the number of workers and PORT the loopback port.
"""
import multiprocessing
import os
import sys

from gunicorn.glogging import Logger

from web.quiet_logs import QuietLogs, quiet, quiet_path

# Without a fixed SECRET_KEY each worker signs sessions with its own random key: a user is
# logged out whenever a request reaches another worker, and everyone at each restart.
if not os.environ.get("SECRET_KEY"):
    sys.exit("SECRET_KEY is not set. Generate one once (python3 -c 'import secrets; print(secrets.token_hex(32))'), "
             "keep it with the server's secrets, and start gunicorn with it in the environment.")
if not os.environ.get("DATABASE_URL", "").startswith("postgresql"):
    print("WARNING: DATABASE_URL does not name a PostgreSQL database; production runs on PostgreSQL "
          "(SQLite is for one user on one machine).", file=sys.stderr)

wsgi_app = "app:create_app()"

# Loopback only: the reverse proxy (nginx, Caddy) terminates HTTPS and forwards here.
# The app trusts its X-Forwarded-For/-Proto headers only when TRUSTED_PROXY_COUNT says so.
bind = f"127.0.0.1:{os.environ.get('PORT', '8000')}"

# Processes for the CPU (Python holds one core per process), threads to overlap the
# database's round trips. 2 × cores + 1 processes of 2 threads each: 10 requests at once
# on a 2-core machine, and at most 2 database connections per process in use.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = 2

# Adding a closure to a board calendar replays every case counting across it: about 10 s
# at 100,000 cases (README, benchmarks), more on a busy or slower server. 120 s keeps
# gunicorn from killing that request half-way; the proxy's read timeout must be at least
# as long.
timeout = 120
graceful_timeout = 30   # on restart, requests in flight get this long to finish
keepalive = 5           # seconds an idle connection from the proxy stays open

# Import and build the app once in the master, then fork: a broken configuration fails at
# start rather than in each worker, and the workers share the imported code's memory.
# A restart (not a HUP) is needed to load new code. No database connection may cross the
# fork: post_fork below drops any the master's engine might hold.
preload_app = True


def post_fork(server, worker):
    app = server.app.wsgi()
    app.extensions["database"].engine.dispose(close=False)


# No runtime control socket: TERM and HUP are all this app needs, and gunicorn's default
# socket path ($HOME/.gunicorn/gunicorn.ctl) would clash between two servers of one user.
control_socket_disable = True

# X-Forwarded-* is handled by the app alone (app.py, TRUSTED_PROXY_COUNT): gunicorn's own
# trust of loopback peers is off, so one setting decides whether those headers count.
forwarded_allow_ips = ""

# Logs go to stdout/stderr for systemd's journal (or the container's log). Nothing secret or
# personal goes into a line (web/quiet_logs.py): the path is logged without its query string
# (dashboard searches hold members' names) and with calendar feed and password reset tokens
# hidden however the client wrote the path (/feeds//TOKEN.ics, /feeds%2FTOKEN.ics, a full URL);
# %(M)s is the response time in ms.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s fwd=%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

_CREDENTIALS = ("q", "{cookie}i", "{authorization}i", "{x-csrf-token}i", "{query_string}e", "{http_cookie}e",
                "{http_authorization}e", "{http_x_csrf_token}e")


class PrivateAccessLogger(Logger):
    """gunicorn's logger, quiet: every atom a format could name (the path %(U)s, the request line
    %(r)s, the referer, environ and header atoms) through web/quiet_logs.quiet, query strings and
    credentials replaced outright; and the app's QuietLogs filter on the access and error logs,
    for what gunicorn writes on its own (a request line it could not parse, a worker's traceback)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, QuietLogs) for f in log.filters):
                log.addFilter(QuietLogs())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for name, value in atoms.items():
            if isinstance(value, str):
                atoms[name] = quiet(value)
        atoms["U"] = quiet_path(environ.get("PATH_INFO") or "")  # decoded: it may hold spaces; one path
        for name in _CREDENTIALS:
            if atoms.get(name):
                atoms[name] = "[hidden]"
        return atoms


logger_class = PrivateAccessLogger
