"""``ccgmodels app``: the explorer as a web page, the package's second front door beside the
command line.

* :mod:`.launch`: starts the Voila server on localhost, prints the URL, stops it on Ctrl-C;
* :mod:`.voila_server`: the server's own process (``python -m ccgmodels.app.voila_server``),
  the one module that imports Voila, Jupyter Server and traitlets (the ``app`` extra).
"""
