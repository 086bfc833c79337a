"""gunicorn's settings that belong to the application, wherever it is served from (``motcua
serve``, the tests' servers, production: ``gunicorn -c python:motcua.web.gunicorn_conf``).

A request line up to 8,190 bytes (gunicorn's largest; its default, 4,094, refused a worklist
search with many filters), and over-long requests answered in our words
(``gunicorn_worker``)."""

worker_class = "motcua.web.gunicorn_worker.RefusingSyncWorker"
limit_request_line = 8190
