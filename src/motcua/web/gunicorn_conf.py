"""gunicorn's settings that belong to the application, wherever it is served from (``motcua
serve``, the tests' servers, production: ``gunicorn -c python:motcua.web.gunicorn_conf``).

A request line up to 8,190 bytes (gunicorn's largest; its default, 4,094, refused a worklist
search with many filters), and over-long requests answered in our words
(``gunicorn_worker``)."""

worker_class = "motcua.web.gunicorn_worker.RefusingSyncWorker"
limit_request_line = 8190

# gunicorn 25.1+ opens a control socket at one path per user ($HOME/.gunicorn/gunicorn.ctl):
# two gunicorns of one host (two sites, or `motcua serve` beside a test server) took each
# other's, so `gunicornc` would have managed the wrong one. Nothing of ours uses it; a service
# manager restarts and reloads the processes (docs/production.md).
control_socket_disable = True
