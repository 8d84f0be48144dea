"""The web application's files through a real `kit serve` (server/web/static_files.cpp): safe path
resolution, content types, caching, the client-route fallback, the app's Content-Security-Policy
for HTML, JSON 404 for unknown /api/ paths, and the public GET /api/v1/info.

The server serves a fixture folder laid out like web/dist (--web-dir), so these tests do not need
the app to be built. Precompressed `.gz` siblings (the app's build writes them) are sent with
`Content-Encoding: gzip` to clients that accept gzip, and never to others."""

import gzip
import os
import shutil
import tempfile
import unittest

from kit_server import DEMO_PASSWORD, KitTestCase, Store

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
           "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
API_CSP = "default-src 'none'; frame-ancestors 'none'"
INDEX = b"<!doctype html><title>KIT fixture</title><script type=module src=/assets/app-Ab12.js></script>"
APP_JS = b"console.log('app');" * 50


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


class WebStaticTest(KitTestCase):
    @classmethod
    def setUpClass(cls):
        cls.fixture = tempfile.mkdtemp(prefix="kit-web-fixture-")
        dist = os.path.join(cls.fixture, "dist")
        write(os.path.join(dist, "index.html"), INDEX)
        write(os.path.join(dist, "assets", "app-Ab12.js"), APP_JS)
        write(os.path.join(dist, "assets", "app-Ab12.js.gz"), gzip.compress(APP_JS, mtime=0))
        write(os.path.join(dist, "index.html.gz"), gzip.compress(INDEX, mtime=0))
        # A .gz that leads outside the folder is never followed.
        write(os.path.join(cls.fixture, "outside.css.gz"), gzip.compress(b"SECRET=outside-gz", mtime=0))
        os.symlink(os.path.join(cls.fixture, "outside.css.gz"), os.path.join(dist, "assets", "app-Ab12.css.gz"))
        write(os.path.join(dist, "assets", "app-Ab12.css"), b"body{margin:0}")
        write(os.path.join(dist, "favicon.svg"), b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        write(os.path.join(dist, ".env"), b"SECRET=dotfile")
        write(os.path.join(cls.fixture, "outside.txt"), b"SECRET=outside")
        os.symlink(os.path.join(cls.fixture, "outside.txt"), os.path.join(dist, "link-out.txt"))
        os.symlink(cls.fixture, os.path.join(dist, "up"))
        cls.store = Store()
        try:
            cls.server = cls.store.server(extra_args=["--web-dir", dist]).start()
        except BaseException:
            cls.store.cleanup()
            shutil.rmtree(cls.fixture, ignore_errors=True)
            raise
        cls._clients = {}

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            shutil.rmtree(cls.fixture, ignore_errors=True)

    def test_the_page_is_html_with_the_app_policy_and_revalidated(self):
        for path in ("/", "/index.html"):
            r = self.anon.get(path)
            self.assertStatus(r, 200)
            self.assertEqual(r.body, INDEX)
            self.assertEqual(r.header("Content-Type"), "text/html; charset=utf-8")
            self.assertEqual(r.header("Content-Security-Policy"), APP_CSP)
            self.assertEqual(r.header("Cache-Control"), "no-cache")
            self.assertEqual(r.header("X-Content-Type-Options"), "nosniff")
            self.assertEqual(r.header("X-Frame-Options"), "DENY")
            self.assertEqual(r.header("Referrer-Policy"), "no-referrer")
        head = self.anon.request("HEAD", "/")
        self.assertStatus(head, 200)
        self.assertEqual(head.body, b"")

    def test_app_routes_fall_back_to_the_page(self):
        for path in ("/signin", "/desk", "/chairs/3", "/admin/staff/", "/nope"):
            r = self.anon.get(path)
            self.assertStatus(r, 200, path)
            self.assertEqual(r.body, INDEX, path)
            self.assertEqual(r.header("Content-Security-Policy"), APP_CSP, path)

    def test_hashed_assets_are_immutable_with_their_types(self):
        js = self.anon.get("/assets/app-Ab12.js")
        self.assertStatus(js, 200)
        self.assertEqual(js.header("Content-Type"), "text/javascript; charset=utf-8")
        self.assertEqual(js.header("Cache-Control"), "public, max-age=31536000, immutable")
        self.assertEqual(js.header("Content-Security-Policy"), API_CSP)
        css = self.anon.get("/assets/app-Ab12.css")
        self.assertEqual(css.header("Content-Type"), "text/css; charset=utf-8")
        svg = self.anon.get("/favicon.svg")
        self.assertEqual(svg.header("Content-Type"), "image/svg+xml")
        self.assertEqual(svg.header("Cache-Control"), "no-cache")

    def test_precompressed_files_go_to_clients_that_accept_gzip(self):
        for accept in ("gzip", "gzip, deflate, br", "br;q=1.0, GZIP;q=0.5", "*"):
            r = self.anon.get("/assets/app-Ab12.js", headers={"Accept-Encoding": accept})
            self.assertStatus(r, 200, accept)
            self.assertEqual(r.header("Content-Encoding"), "gzip", accept)
            self.assertEqual(gzip.decompress(r.body), APP_JS, accept)
            self.assertLess(len(r.body), len(APP_JS))
            self.assertEqual(r.header("Content-Type"), "text/javascript; charset=utf-8")
            self.assertEqual(r.header("Cache-Control"), "public, max-age=31536000, immutable")
            self.assertIn("Accept-Encoding", r.header("Vary") or "", accept)
        # The page itself and the client-route fallback too, with the app's policy.
        for path in ("/", "/desk"):
            r = self.anon.get(path, headers={"Accept-Encoding": "gzip"})
            self.assertEqual(r.header("Content-Encoding"), "gzip", path)
            self.assertEqual(gzip.decompress(r.body), INDEX, path)
            self.assertEqual(r.header("Content-Security-Policy"), APP_CSP, path)
        head = self.anon.request("HEAD", "/assets/app-Ab12.js", headers={"Accept-Encoding": "gzip"})
        self.assertStatus(head, 200)
        self.assertEqual(head.header("Content-Encoding"), "gzip")
        self.assertEqual(head.body, b"")

    def test_clients_without_gzip_get_the_plain_file(self):
        for headers in ({}, {"Accept-Encoding": "identity"}, {"Accept-Encoding": "gzip;q=0"},
                        {"Accept-Encoding": "br, gzip;q=0.0"}, {"Accept-Encoding": "x-gzip-ish"}):
            r = self.anon.get("/assets/app-Ab12.js", headers=headers)
            self.assertStatus(r, 200, headers)
            self.assertIsNone(r.header("Content-Encoding"), headers)
            self.assertEqual(r.body, APP_JS, headers)
            self.assertIn("Accept-Encoding", r.header("Vary") or "", headers)

    def test_a_gz_file_leading_outside_is_not_followed(self):
        r = self.anon.get("/assets/app-Ab12.css", headers={"Accept-Encoding": "gzip"})
        self.assertStatus(r, 200)
        self.assertIsNone(r.header("Content-Encoding"))
        self.assertEqual(r.body, b"body{margin:0}")
        self.assertNotIn(b"SECRET", r.body)

    def test_missing_files_are_404_never_the_page(self):
        for path in ("/assets/app-gone.js", "/assets/", "/robots.txt", "/img/x.png"):
            r = self.anon.get(path)
            e = self.assertError(r, 404, msg=path)
            self.assertEqual(e["code"], "not_found")
            self.assertTrue(r.header("Content-Type").startswith("application/json"), path)

    def test_traversal_dotfiles_and_symlinks_out_are_refused(self):
        for path in ("/../outside.txt", "/assets/../../outside.txt", "/%2e%2e/outside.txt",
                     "/assets/%2e%2e/%2e%2e/outside.txt", "/..%2foutside.txt", "/.env", "/%2eenv",
                     "/link-out.txt", "/up/outside.txt", "/assets/..%5c..%5coutside.txt",
                     "//etc/passwd", "/%00index.html"):
            r = self.anon.get(path)
            self.assertIn(r.status, (400, 404), "%s -> %r" % (path, r))
            self.assertNotIn(b"SECRET", r.body, path)

    def test_only_get_and_head_outside_the_api(self):
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = self.anon.request(method, "/desk", body={})
            self.assertError(r, 405, msg=method)
            self.assertEqual(r.header("Allow"), "GET, HEAD")

    def test_unknown_api_paths_stay_json_404(self):
        for path in ("/api/v1/nothing-here", "/api/nope", "/api", "/api/v1/assets/app-Ab12.js"):
            r = self.admin.get(path)
            e = self.assertError(r, 404, msg=path)
            self.assertEqual(e["code"], "not_found")
            self.assertEqual(r.header("Cache-Control"), "no-store")
            self.assertEqual(r.header("Content-Security-Policy"), API_CSP)

    def test_info_says_demo_and_names_the_accounts_but_never_the_password(self):
        r = self.anon.get("/api/v1/info")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["demo"], True)
        self.assertEqual(r.json["demo_accounts"], ["admin", "physician", "nurse", "frontdesk", "patient", "director"])
        self.assertNotIn(DEMO_PASSWORD.encode(), r.body)


class WebStaticNotDemoTest(KitTestCase):
    """Without demo mode the sign-in page is told so; an unbuilt app says how to build it."""

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        empty = os.path.join(cls.store.tmp, "not-built")
        try:
            cls.server = cls.store.server(demo=False, extra_args=["--web-dir", empty]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    def test_info_without_demo(self):
        r = self.anon.get("/api/v1/info")
        self.assertStatus(r, 200)
        self.assertEqual(r.json["demo"], False)
        self.assertEqual(r.json["demo_accounts"], [])

    def test_an_unbuilt_app_answers_503_saying_how_to_build_it(self):
        r = self.anon.get("/")
        e = self.assertError(r, 503)
        self.assertIn("npm run build", e["message"])


if __name__ == "__main__":
    unittest.main()
