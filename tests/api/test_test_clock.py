"""The test clock (`kit serve --demo --test-clock FILE`, docs/adr/0029-test-clock.md): the minutes
in FILE move every "now" of a demo server (the answers it gives and what it stores), time never
runs backwards, and it cannot be switched on by accident: refused without --demo, and with no
flag the same file named in the environment or a settings file changes nothing."""

import datetime
import os
import subprocess
import unittest

from kit_server import Client, Store, kit_binary

DAY_MIN = 24 * 60


def parse_iso(text):
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def write_offset(path, minutes):
    with open(path, "w") as f:
        f.write("%d\n" % minutes)


class TestClockServer(unittest.TestCase):

    def setUp(self):
        self.store = Store(prefix="kit-test-clock-")
        self.clock_file = os.path.join(self.store.tmp, "clock")
        self.server = None

    def tearDown(self):
        if self.server is not None:
            self.server.stop()
        self.store.cleanup()

    def inquiry_received_at(self):
        r = Client(self.server.port).post("/api/v1/inquiries", {
            "name": "Clock Test", "contact": "clock@example.org", "reason": "other"})
        self.assertEqual(r.status, 201, r)
        return parse_iso(r.json["received_at"])

    def info(self):
        r = Client(self.server.port).get("/api/v1/info")
        self.assertEqual(r.status, 200, r)
        return r.json

    def assertNear(self, when, expected, slack_s=120):
        self.assertLess(abs((when - expected).total_seconds()), slack_s, "%s vs %s" % (when, expected))

    def test_the_files_minutes_move_every_now_of_a_demo_server(self):
        write_offset(self.clock_file, 0)
        self.server = self.store.server(extra_args=["--test-clock", self.clock_file]).start()
        self.assertIn("TEST CLOCK", self.server.log_tail(200))
        info = self.info()
        self.assertEqual(info["test_clock"]["offset_minutes"], 0)
        self.assertNear(self.inquiry_received_at(), utc_now())

        # Two days ahead: what the server answers, stores and says about itself.
        write_offset(self.clock_file, 2 * DAY_MIN)
        ahead = utc_now() + datetime.timedelta(days=2)
        info = self.info()
        self.assertEqual(info["test_clock"]["offset_minutes"], 2 * DAY_MIN)
        self.assertNear(parse_iso(info["test_clock"]["now"]), ahead)
        received = self.inquiry_received_at()
        self.assertNear(received, ahead)
        health = Client(self.server.port).get("/healthz")
        self.assertEqual(health.json["test_clock"]["offset_minutes"], 2 * DAY_MIN)
        listed = self.server.login("frontdesk").get("/api/v1/inquiries")
        self.assertEqual(listed.status, 200, listed)

        # Never backwards: a smaller offset keeps the larger one, with a warning in the log.
        write_offset(self.clock_file, 60)
        self.assertEqual(self.info()["test_clock"]["offset_minutes"], 2 * DAY_MIN)
        self.assertNear(self.inquiry_received_at(), ahead)
        self.assertIn("does not run backwards", self.server.log_tail(200))

    def test_refused_without_demo(self):
        write_offset(self.clock_file, DAY_MIN)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
        p = subprocess.run([kit_binary(), "serve", "--data", self.store.data_dir, "--listen",
                            "127.0.0.1:0", "--test-clock", self.clock_file],
                           capture_output=True, text=True, timeout=60, env=env,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("--test-clock is accepted only with --demo", p.stderr)

    def test_without_the_flag_the_file_is_ignored(self):
        write_offset(self.clock_file, 3 * DAY_MIN)
        config = os.path.join(self.store.tmp, "kit.toml")
        with open(config, "w") as f:
            f.write("# no test clock setting exists\n")
        os.environ["KIT_TEST_CLOCK"] = self.clock_file
        os.environ["KIT_TEST_CLOCK_FILE"] = self.clock_file
        try:
            self.server = self.store.server(extra_args=["--config", config]).start()
        finally:
            del os.environ["KIT_TEST_CLOCK"]
            del os.environ["KIT_TEST_CLOCK_FILE"]
        self.assertIsNone(self.info()["test_clock"])
        self.assertNear(self.inquiry_received_at(), utc_now())
        self.assertNotIn("test_clock", Client(self.server.port).get("/healthz").json)
        self.assertNotIn("TEST CLOCK", self.server.log_tail(200))

    def test_a_settings_file_cannot_turn_it_on(self):
        write_offset(self.clock_file, DAY_MIN)
        config = os.path.join(self.store.tmp, "kit.toml")
        with open(config, "w") as f:
            f.write('test_clock = "%s"\n' % self.clock_file)
        env = {k: v for k, v in os.environ.items() if not k.startswith("KIT_")}
        p = subprocess.run([kit_binary(), "serve", "--data", self.store.data_dir, "--listen",
                            "127.0.0.1:0", "--demo", "--config", config],
                           capture_output=True, text=True, timeout=60, env=env,
                           stdin=subprocess.DEVNULL)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertIn("test_clock", p.stderr)


if __name__ == "__main__":
    unittest.main()
