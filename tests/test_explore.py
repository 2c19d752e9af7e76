"""The explorer's API (in process, Flask's test client), its word map cache and the HTML map file."""

from __future__ import annotations

import importlib.util
import json
import re
import threading
import urllib.request
from html.parser import HTMLParser

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wordvec.errors import ParameterError, WordvecError
from wordvec.explore import MapStore, VocabIndex, create_app, make_server, write_html_map
from wordvec.explore import mapdata
from wordvec.explore.queries import MAX_N
from wordvec.explore.routes import STATIC_FILES
from wordvec.formats import save_model
from wordvec.vectors import Vectors

# Flask is found here, not imported: the tests that serve import it (a quarter second for collecting).
pytestmark = pytest.mark.skipif(importlib.util.find_spec("flask") is None, reason="the explorer needs flask")

WORDS = [
    "tea", "coffee", "chocolate", "cookie", "sugar", "salt", "dog", "cat", "treat", "bag",
    "price", "amazon", "taste", "flavor", "sweet", "bitter", "good", "great", "bad", "love",
    "milk", "cream", "butter", "bread", "rice", "pasta", "sauce", "spicy", "hot", "cold",
    "water", "juice", "soda", "candy", "gum", "nuts", "almond", "peanut", "honey", "jam",
    "Teapot", "teabag", "café", "日本", "coffeemaker", "tea-time", "ça", "x,y", "a b", "100%",
]
TOP = 30


def _vectors(counts=True) -> Vectors:
    rng = np.random.default_rng(7)
    words = ["UNK"] + WORDS
    matrix = rng.normal(size=(len(words), 12)).astype(np.float32)
    matrix[2] = matrix[1] + 0.1 * rng.normal(size=12)  # coffee near tea
    frequency = np.arange(len(words), 0, -1) * 7 if counts else None
    return Vectors(words, matrix, counts=frequency, unknown="UNK")


@pytest.fixture(scope="module")
def vectors() -> Vectors:
    return _vectors()


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, vectors):
    return save_model(tmp_path_factory.mktemp("explore") / "model", vectors, engine="native")


@pytest.fixture(scope="module")
def app(model_dir):
    app = create_app(model_dir, top=TOP, progress=False)
    app.extensions["wordvec_explorer"].map.result(timeout=60)
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


def _error(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str) and body["error"] and "\n" not in body["error"]
    return body["error"]


# -- answers -----------------------------------------------------------------

@pytest.mark.slow
def test_similar_gives_the_nearest_words(client, vectors):
    body = client.get("/api/similar?word=tea&n=5").get_json()
    assert [(a["word"], pytest.approx(a["similarity"], abs=1e-5)) for a in body] == vectors.most_similar("tea", n=5)
    assert body[0]["word"] == "coffee"
    assert all(a["count"] == int(vectors.counts[vectors.index(a["word"])]) for a in body)


@pytest.mark.slow
def test_similar_defaults_to_ten_and_strips_spaces(client):
    body = client.get("/api/similar", query_string={"word": "  tea "}).get_json()
    assert len(body) == 10 and "UNK" not in [a["word"] for a in body]


def test_similar_with_unicode_and_odd_words(client, vectors):
    for word in ("café", "日本", "a b", "100%", "x,y"):
        body = client.get("/api/similar", query_string={"word": word, "n": 3}).get_json()
        assert [a["word"] for a in body] == [w for w, _ in vectors.most_similar(word, n=3)]


def test_analogy(client, vectors):
    body = client.get("/api/analogy?positive=tea,sugar&negative=salt&n=4").get_json()
    expected = vectors.most_similar(positive=["tea", "sugar"], negative=["salt"], n=4)
    assert [(a["word"], pytest.approx(a["similarity"], abs=1e-5)) for a in body] == expected
    repeated = client.get("/api/analogy?positive=tea&positive=sugar&negative=salt&n=4").get_json()
    assert repeated == body
    without_negative = client.get("/api/analogy?positive=tea,sugar&n=3").get_json()
    assert [a["word"] for a in without_negative] == [w for w, _ in vectors.most_similar(["tea", "sugar"], n=3)]


def test_n_is_capped_by_the_vocabulary(client, vectors):
    body = client.get(f"/api/similar?word=tea&n={MAX_N}").get_json()
    assert len(body) == len(vectors) - 2  # all but the word itself and UNK


def test_vocab_completion(client, vectors):
    words = [w["word"] for w in client.get("/api/vocab?prefix=tea&limit=10").get_json()]
    assert words == ["tea", "Teapot", "teabag", "tea-time"]  # exact match, then by frequency, any case
    assert [w["word"] for w in client.get("/api/vocab?prefix=TE&limit=2").get_json()] == ["tea", "Teapot"]
    assert client.get("/api/vocab?prefix=zz").get_json() == []
    first = client.get("/api/vocab?limit=3").get_json()
    assert first == [{"word": w, "count": int(vectors.counts[vectors.index(w)])} for w in WORDS[:3]]
    assert client.get("/api/vocab?prefix=UN").get_json() == []  # the placeholder is never offered
    assert [w["word"] for w in client.get("/api/vocab", query_string={"prefix": "ca"}).get_json()] == \
        ["cat", "candy", "café"]
    assert [w["word"] for w in client.get("/api/vocab", query_string={"prefix": "日"}).get_json()] == ["日本"]


def test_info(client, vectors):
    info = client.get("/api/info").get_json()
    assert info["words"] == len(vectors) and info["dim"] == vectors.dim
    assert info["engine"] == "native" and info["map_top"] == TOP and info["model"] == "model"


# -- errors ----------------------------------------------------------------------

ERRORS = [
    ("/api/similar", 400, "missing parameter 'word'"),
    ("/api/similar?word=", 400, "empty word"),
    ("/api/similar?word=%20%20", 400, "empty word"),
    ("/api/similar?word=zzz", 404, "word not in vocabulary: 'zzz'"),
    ("/api/similar?word=Tea", 404, "not in vocabulary"),
    ("/api/similar?word=%E2%98%83", 404, "not in vocabulary"),
    ("/api/similar?word=a%00b", 404, "not in vocabulary"),
    ("/api/similar?word=a%0Ab", 404, "not in vocabulary"),
    ("/api/similar?word=%FF%FE", 404, "not in vocabulary"),
    ("/api/similar?word=" + "x" * 500, 400, "too long"),
    ("/api/similar?word=tea&n=-1", 400, "invalid n=-1"),
    ("/api/similar?word=tea&n=0", 400, "invalid n=0"),
    ("/api/similar?word=tea&n=1001", 400, "from 1 to 1000"),
    ("/api/similar?word=tea&n=" + "9" * 5000, 400, "invalid n="),
    ("/api/similar?word=tea&n=abc", 400, "invalid n='abc'"),
    ("/api/similar?word=tea&n=1.5", 400, "invalid n="),
    ("/api/similar?word=tea&n=1e3", 400, "invalid n="),
    ("/api/similar?word=tea&n=", 400, "invalid n="),
    ("/api/similar?word=tea&n=%EF%BC%95", 400, "invalid n="),  # a full-width digit
    ("/api/analogy", 400, "at least one 'positive' word"),
    ("/api/analogy?negative=tea", 400, "at least one 'positive' word"),
    ("/api/analogy?positive=,,", 400, "at least one 'positive' word"),
    ("/api/analogy?positive=tea,zzz&negative=salt", 404, "word not in vocabulary: 'zzz'"),
    ("/api/analogy?positive=tea&negative=qqq", 404, "'qqq'"),
    ("/api/analogy?positive=" + ",".join(["tea"] * 30), 400, "too many words"),
    ("/api/analogy?positive=tea&n=x", 400, "invalid n="),
    ("/api/vocab?limit=0", 400, "invalid limit=0"),
    ("/api/vocab?limit=-5", 400, "invalid limit=-5"),
    ("/api/vocab?limit=lots", 400, "invalid limit="),
    ("/api/vocab?prefix=" + "a" * 300, 400, "prefix too long"),
    ("/api/nothing", 404, "not found"),
    ("/api", 404, "not found"),
    ("/static/../explore/server.py", 404, "not found"),
    ("/static/..%2fserver.py", 404, "not found"),
    ("/static/%2e%2e/%2e%2e/io.py", 404, "not found"),
    ("/static/standalone.js/../../server.py", 404, "not found"),
    ("/static/server.py", 404, "not found"),
    ("/static/index.html", 404, "not found"),
    ("/static//etc/passwd", 404, "not found"),
    ("/static/%2Fetc%2Fpasswd", 404, "not found"),
]


@pytest.mark.parametrize("url, status, message", ERRORS)
def test_bad_requests_get_one_line_json_errors(client, url, status, message):
    assert message in _error(client.get(url), status)


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_server_is_read_only(client, method):
    assert "read-only" in _error(getattr(client, method)("/api/similar?word=tea"), 405)


def test_requests_for_other_hosts_are_refused(client, model_dir):
    assert "localhost only" in _error(client.get("/api/info", headers={"Host": "evil.example:8000"}), 400)
    for host in ("localhost:8000", "127.0.0.1:1234", "[::1]:80", "LOCALHOST"):
        assert client.get("/api/info", headers={"Host": host}).status_code == 200
    open_app = create_app(model_dir, top=TOP, progress=False, loopback_only=False)
    assert open_app.test_client().get("/api/info", headers={"Host": "box.lan"}).status_code == 200


def test_an_unexpected_failure_is_a_json_500(app, client, monkeypatch):
    explorer = app.extensions["wordvec_explorer"]
    monkeypatch.setattr(explorer, "similar", lambda word, n: 1 / 0)
    monkeypatch.setattr(app.logger, "disabled", True)
    assert _error(client.get("/api/similar?word=tea"), 500) == "internal error (ZeroDivisionError)"


odd_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.sampled_from(["/api/similar", "/api/analogy", "/api/vocab", "/api/map", "/static/x", "/"]),
       params=st.dictionaries(st.sampled_from(["word", "n", "positive", "negative", "prefix", "limit"]),
                              odd_text, max_size=4))
@pytest.mark.slow
def test_odd_queries_never_break_the_server(client, path, params):
    response = client.get(path, query_string=params)
    assert response.status_code < 500
    if response.status_code >= 400:
        _error(response, response.status_code)
    elif path.startswith("/api/"):
        assert response.mimetype == "application/json"
        json.loads(response.get_data(as_text=True))


# -- static files and headers ------------------------------------------------------

class _References(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found += [value for name, value in attrs if name in ("src", "href") and value]


def test_page_and_its_files(client):
    page = client.get("/")
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    parser = _References()
    parser.feed(page.get_data(as_text=True))
    assert parser.found and all(ref.startswith("/static/") for ref in parser.found)  # nothing from elsewhere
    for ref in parser.found:
        response = client.get(ref)
        assert response.status_code == 200, ref
    assert client.get("/static/wordmap.js").mimetype == "text/javascript"
    assert client.get("/static/explore.css").mimetype == "text/css"
    assert client.get("/favicon.ico").mimetype == "image/svg+xml"
    for name in STATIC_FILES:
        text = client.get("/" if name == "index.html" else f"/static/{name}").get_data(as_text=True)
        # works offline: no CDN, no fonts from the web (an XML namespace is only a name)
        assert not re.search(r'(?<!xmlns=")https?://', text), name


# -- OpenAPI -----------------------------------------------------------------------------

def test_openapi_lists_every_route(app, client):
    doc = client.get("/api/openapi.json").get_json()
    assert doc["openapi"].startswith("3.")
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")}
    assert routes == set(doc["paths"]) == {"/api/similar", "/api/analogy", "/api/vocab", "/api/map", "/api/info",
                                           "/api/openapi.json"}
    for path, item in doc["paths"].items():
        assert set(item) == {"get"}, path
        assert "200" in item["get"]["responses"]
        for parameter in item["get"].get("parameters", []):
            assert parameter["in"] == "query" and "schema" in parameter
    refs = re.findall(r'"\$ref": "#/components/schemas/(\w+)"', json.dumps(doc))
    assert refs and set(refs) <= set(doc["components"]["schemas"])


def test_openapi_document_describes_what_the_endpoints_do(client):
    doc = client.get("/api/openapi.json").get_json()
    paths, schemas = doc["paths"], doc["components"]["schemas"]
    params = {path: {p["name"]: p for p in item["get"].get("parameters", [])} for path, item in paths.items()}
    required = {path: sorted(name for name, p in ps.items() if p.get("required")) for path, ps in params.items()}
    assert required == {"/api/similar": ["word"], "/api/analogy": ["positive"], "/api/vocab": [], "/api/map": [],
                        "/api/info": [], "/api/openapi.json": []}
    for path, names in required.items():           # leaving out a required parameter is a documented 400
        if names:
            assert "400" in paths[path]["get"]["responses"]
            _error(client.get(path), 400)
    for path, name in (("/api/similar", "n"), ("/api/analogy", "n"), ("/api/vocab", "limit")):
        schema = params[path][name]["schema"]
        assert (schema["minimum"], schema["maximum"], schema["default"]) == (1, 1000, 10)
        query = {"word": "tea", "positive": "tea"}
        assert len(client.get(path, query_string=query).get_json()) == 10
        assert client.get(path, query_string={**query, name: 1000}).status_code == 200
        for bad in (0, 1001):
            assert f"invalid {name}={bad}" in _error(client.get(path, query_string={**query, name: bad}), 400)
    assert "404" in paths["/api/similar"]["get"]["responses"]
    _error(client.get("/api/similar?word=zzzz"), 404)

    def keys_fit(schema, body):
        return set(schema["required"]) <= set(body) <= set(schema["properties"])

    answers = client.get("/api/similar?word=tea&n=3").get_json()
    assert len(answers) == 3 and all(keys_fit(schemas["Answer"], a) for a in answers)
    words = client.get("/api/vocab?prefix=tea").get_json()
    assert len(words) == 4 and all(keys_fit(schemas["Word"], w) for w in words)
    assert keys_fit(schemas["Map"], client.get("/api/map").get_json())
    assert keys_fit(schemas["Error"], client.get("/api/similar").get_json())


# -- the map ---------------------------------------------------------------------------

def test_map(client, vectors, model_dir):
    data = client.get("/api/map").get_json()
    assert data["words"] == WORDS[:TOP]  # the most frequent, UNK left out
    assert len(data["x"]) == len(data["y"]) == len(data["counts"]) == TOP
    assert data["counts"] == [int(vectors.counts[vectors.index(w)]) for w in data["words"]]
    assert np.isfinite(data["x"]).all() and np.isfinite(data["y"]).all()
    cached = json.loads((model_dir / f"map_tsne_{TOP}.json").read_text(encoding="utf-8"))
    assert cached["words"] == data["words"] and cached["x"] == data["x"]


def test_map_is_cached_beside_the_model(model_dir, app, monkeypatch, capsys):
    first = app.extensions["wordvec_explorer"].map.result(timeout=60)
    monkeypatch.setattr(mapdata, "compute_map", lambda *a, **k: pytest.fail("recomputed a cached map"))
    again = MapStore(_vectors(), model_dir, top=TOP).result(timeout=60)
    assert again["cached"] is True
    assert (again["words"], again["x"], again["y"]) == (first["words"], first["x"], first["y"])
    assert capsys.readouterr().err == ""  # nothing to say when the map is cached


@pytest.mark.slow
def test_a_stale_or_corrupted_cache_is_recomputed(tmp_path, vectors, capsys):
    model = save_model(tmp_path / "model", vectors)
    first = MapStore(vectors, model, top=12).result(timeout=60)
    assert "computing the t-SNE map of the 12 most frequent words" in capsys.readouterr().err
    path = mapdata.cache_path(model, 12)
    path.write_text("{not json", encoding="utf-8")
    assert MapStore(vectors, model, top=12, progress=False).result(timeout=60)["cached"] is False
    assert json.loads(path.read_text(encoding="utf-8"))["words"] == first["words"]
    # the same directory retrained: the fingerprint no longer matches
    cache = json.loads(path.read_text(encoding="utf-8"))
    cache["model_sha256"] = "0" * 64
    path.write_text(json.dumps(cache), encoding="utf-8")
    assert MapStore(vectors, model, top=12).result(timeout=60)["cached"] is False
    assert "does not match this model" in capsys.readouterr().err
    # other settings, another file
    assert MapStore(vectors, model, top=13, progress=False).result(timeout=60)["cached"] is False
    assert mapdata.cache_path(model, 13).exists()


def test_a_read_only_model_keeps_the_map_in_memory(tmp_path, vectors, monkeypatch, capsys):
    model = save_model(tmp_path / "model", vectors)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(mapdata, "atomic_open", refuse)
    app = create_app(model, top=10)
    app.extensions["wordvec_explorer"].map.result(timeout=60)
    response = app.test_client().get("/api/map")
    assert response.status_code == 200 and len(response.get_json()["words"]) == 10
    assert not list(model.glob("map_tsne_*"))
    assert "keeping it in memory" in capsys.readouterr().err


def test_map_while_computing_then_ready(tmp_path, vectors, monkeypatch):
    release = threading.Event()
    real = mapdata.compute_map

    def slow(*args, **kwargs):
        release.wait(30)
        return real(*args, **kwargs)

    monkeypatch.setattr(mapdata, "compute_map", slow)
    app = create_app(vectors, top=10, progress=False)
    client = app.test_client()
    busy = client.get("/api/map")
    assert "being computed" in _error(busy, 503) and busy.headers["Retry-After"] == "1"
    assert client.get("/api/similar?word=tea").status_code == 200  # answers meanwhile
    release.set()
    app.extensions["wordvec_explorer"].map.result(timeout=60)
    assert client.get("/api/map").status_code == 200


def test_no_map_for_a_tiny_vocabulary(tmp_path):
    tiny = Vectors(["UNK", "tea"], np.eye(2, dtype=np.float32), unknown="UNK")
    app = create_app(save_model(tmp_path / "tiny", tiny), progress=False)
    app.extensions["wordvec_explorer"].map._done.wait(30)
    assert "at least 2 words" in _error(app.test_client().get("/api/map"), 404)


def test_vectors_without_counts_and_other_engines(tmp_path):
    plain = _vectors(counts=False)
    client = create_app(plain, top=10, progress=False).test_client()
    assert client.get("/api/similar?word=tea&n=1").get_json()[0]["count"] is None
    model = save_model(tmp_path / "keras-model", _vectors(), engine="keras")
    info = create_app(model, top=10, progress=False).test_client().get("/api/info").get_json()
    assert info["engine"] == "keras"


def test_bad_settings():
    with pytest.raises(ParameterError, match="top"):
        create_app(_vectors(), top=1, progress=False)
    with pytest.raises(ParameterError, match="port"):
        make_server(_vectors(), port=70000)


# -- the server ---------------------------------------------------------------------------

def test_make_server_serves_over_http(model_dir):
    server = make_server(model_dir, "127.0.0.1", 0, top=TOP, progress=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        with urllib.request.urlopen(server.url + "api/similar?word=tea&n=2", timeout=10) as response:
            assert [a["word"] for a in json.load(response)][0] == "coffee"
        with pytest.raises(WordvecError, match="cannot listen"):
            make_server(model_dir, "127.0.0.1", server.port, top=TOP, progress=False)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


# -- completion over a large vocabulary ----------------------------------------------------

@pytest.mark.slow
def test_vocab_index_matches_a_linear_scan_on_100k_words():
    rng = np.random.default_rng(3)
    letters = np.array(list("abcdeéziouÉ"))
    unique = {}  # 100,000 distinct random words of 1 to 9 letters, drawn 10,000 at a time
    while len(unique) < 100_000:
        lengths = rng.integers(1, 10, size=10_000)
        for word in np.split(rng.choice(letters, size=int(lengths.sum())), np.cumsum(lengths)[:-1]):
            if len(unique) < 100_000:
                unique["".join(word)] = None
    words = sorted(unique)
    rng.shuffle(words)
    index = VocabIndex(words)
    for prefix in ("", "a", "ab", "É", "zzz", "dé", "q", words[5], words[99_999]):
        folded = prefix.casefold()
        exact = [w for w in words if w.casefold() == folded] if prefix else []
        others = [w for w in words if w.casefold().startswith(folded) and w not in exact]
        assert index.complete(prefix, limit=20) == (exact + others)[:20], prefix


def test_vocab_index_edges():
    index = VocabIndex(["UNK", "b", "a\U0010ffff", "a", "A"], skip="UNK")
    assert index.complete("a", 10) == ["a", "A", "a\U0010ffff"]
    assert index.complete("a\U0010ffff", 10) == ["a\U0010ffff"]
    assert index.complete("", 0) == []
    assert len(index) == 4


# -- the self-contained HTML map ------------------------------------------------------------

def _inlined_data(text: str) -> dict:
    match = re.search(r'<script type="application/json" id="map-data">(.*?)</script>', text, re.S)
    return json.loads(match.group(1))


@pytest.mark.slow
def test_html_map_is_self_contained(tmp_path, vectors):
    out = write_html_map(vectors, tmp_path / "map.html", top=20, perplexity=5, seed=2)
    text = out.read_text(encoding="utf-8")
    assert text.startswith("<!doctype html>")
    assert not re.search(r"https?://", text)  # no scripts, styles or fonts from elsewhere
    parser = _References()
    parser.feed(text)
    assert parser.found == []  # no src= or href= at all
    assert "<script src" not in text and "<link" not in text
    data = _inlined_data(text)
    assert data["words"] == WORDS[:20]
    assert len(data["x"]) == len(data["y"]) == 20
    assert data["counts"] == [int(vectors.counts[vectors.index(w)]) for w in WORDS[:20]]
    expected = vectors.most_similar("tea", n=10)
    assert [(w, pytest.approx(s, abs=1e-3)) for w, s, _ in data["neighbours"][0]] == expected
    assert "WordMap" in text and "renderAnswers" in text  # the script is inlined


@pytest.mark.slow
def test_html_map_escapes_what_could_end_a_script(tmp_path):
    words = ["UNK", "</script><b>", "<!--", "a&b", "\u2028"] + [f"w{i}" for i in range(10)]
    vecs = Vectors(words, np.random.default_rng(1).normal(size=(len(words), 6)).astype(np.float32), unknown="UNK")
    text = write_html_map(vecs, tmp_path / "odd.html", top=12, title="<i>mine</i>").read_text(encoding="utf-8")
    assert text.lower().count("</script") == 4  # the four script elements, nothing more
    assert "<i>mine</i>" not in text and "&lt;i&gt;mine&lt;/i&gt;" in text
    assert _inlined_data(text)["words"][:4] == words[1:5]


def test_html_map_write_is_atomic_and_checks_parameters(tmp_path, vectors, monkeypatch):
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    import wordvec.plot

    monkeypatch.setattr(wordvec.plot, "tsne_coordinates", lambda *a, **k: (_ for _ in ()).throw(ParameterError("no")))
    with pytest.raises(ParameterError):
        write_html_map(vectors, out)
    assert out.read_text(encoding="utf-8") == "old"
    monkeypatch.undo()
    with pytest.raises(ParameterError, match="neighbours"):
        write_html_map(vectors, out, neighbours=-1)
    with pytest.raises(ParameterError, match="top"):
        write_html_map(vectors, out, top=0)
    write_html_map(vectors, out, top=10, neighbours=0)
    data = _inlined_data(out.read_text(encoding="utf-8"))
    assert "neighbours" not in data and len(data["words"]) == 10
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
