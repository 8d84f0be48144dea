"""Password guessing, serial and parallel, on every route that takes a password.

Routes that check a password (read from the handlers): sign-in (`password`), changing one's own
password (`current_password`), an admin's reset of another account (`admin_password`), and a
controlled-substance waste (`witness_password`). For each:

  serial    after `login_max_failures` wrong guesses the next answer is 429 `locked`, and the right
            password is refused too while the lock lasts (nothing changes);
  parallel  a burst of concurrent wrong guesses has at most `login_max_failures` of them actually
            checked (answered "wrong"); the rest are `locked` or refused unchecked as `busy` (503);
            then the right password is refused as locked.

One password, one budget: guesses spread over several routes are counted together, so an
attacker gets `login_max_failures` guesses at a person's password per lock window, not that many
per route. The server runs with --login-max-failures 3 (a setting, honoured).
"""

import concurrent.futures
import unittest

from kit_server import Client, KitTestCase, Store, unique

MAX_FAILURES = 3   # passed to kit serve below
BURST = 20         # concurrent guesses in a parallel test
WORKERS = 10


class Route:
    """How one route is guessed: `send(guess)`, what a wrong guess answers, and the right one."""

    def __init__(self, name, send, wrong_status, right, field=None):
        self.name, self.send, self.wrong_status, self.right, self.field = name, send, wrong_status, right, field


class BruteForceTest(KitTestCase):

    @classmethod
    def setUpClass(cls):
        cls.store = Store()
        try:
            cls.server = cls.store.server(extra_args=["--login-max-failures", str(MAX_FAILURES)]).start()
        except BaseException:
            cls.store.cleanup()
            raise
        cls._clients = {}

    # --- accounts and routes --------------------------------------------------------------------

    def new_user(self, role):
        name = unique("bf")
        password = "right-password-" + name
        r = self.admin.post("/api/v1/users", {"username": name, "password": password, "role": role})
        self.assertStatus(r, 201)
        return name, password, r.json["id"]

    def login_route(self):
        name, password, _ = self.new_user("nurse")
        return Route("POST /auth/login",
                     lambda guess: Client(self.port).post("/api/v1/auth/login",
                                                          {"username": name, "password": guess}),
                     401, password), name, password

    def password_change_route(self):
        name, password, _ = self.new_user("physician")
        me = self.server.login(name, password)
        return Route("POST /auth/password",
                     lambda guess: me.post("/api/v1/auth/password", {
                         "current_password": guess, "new_password": "a-brand-new-one-" + name}),
                     403, password, "current_password"), name, password

    def admin_reset_route(self):
        name, password, _ = self.new_user("admin")
        admin = self.server.login(name, password)
        target, target_password, target_id = self.new_user("nurse")
        route = Route("POST /users/{id}/password",
                      lambda guess: admin.post("/api/v1/users/%d/password" % target_id, {
                          "password": "taken-over-" + target, "admin_password": guess}),
                      403, password, "admin_password")
        route.target = (target, target_password)
        return route, name, password

    def witness_route(self):
        name, password, wid = self.new_user("physician")
        nurse = self.nurse  # signed in once, before any burst (sign-ins in flight count as attempts)
        # The witness is checked before the session is looked up: no real session is needed to
        # guess, which is exactly why the guesses must be counted.
        return Route("POST /stock/wastes",
                     lambda guess: nurse.post("/api/v1/stock/wastes", {
                         "session_id": 999999, "witness_user_id": wid, "witness_password": guess,
                         "mg": 1}),
                     422, password, "witness_password"), name, password

    def routes(self):
        return [self.login_route, self.password_change_route, self.admin_reset_route, self.witness_route]

    # --- checks ---------------------------------------------------------------------------------

    def kind(self, route, r):
        """'wrong' (the password was checked and is wrong), 'locked', 'busy' or a failure."""
        if r.status == route.wrong_status:
            e = r.error()
            if route.field:
                self.assertEqual(e.get("field"), route.field, "%s: %r" % (route.name, r))
            return "wrong"
        if r.status == 429:
            self.assertEqual(r.error().get("code"), "locked", "%s: %r" % (route.name, r))
            return "locked"
        if r.status == 503:
            self.assertEqual(r.error().get("code"), "busy", "%s: %r" % (route.name, r))
            return "busy"
        self.fail("%s: a wrong guess answered %r" % (route.name, r))

    def assertLockedEvenWithTheRightPassword(self, route):
        r = route.send(route.right)
        self.assertEqual(r.status, 429, "%s: the right password after the lock: %r" % (route.name, r))
        self.assertEqual(r.error().get("code"), "locked")
        self.assertNotIn(b'"token"', r.body)
        target = getattr(route, "target", None)
        if target:  # the reset did not happen: the target still signs in with their own password
            self.assertStatus(Client(self.port).post("/api/v1/auth/login", {
                "username": target[0], "password": target[1]}), 200)

    def test_serial_guesses_lock_every_password_route(self):
        for make in self.routes():
            route, _, _ = make()
            with self.subTest(route=route.name):
                kinds = [self.kind(route, route.send("guess-number-%02d-xx" % i)) for i in range(MAX_FAILURES + 3)]
                self.assertEqual(kinds, ["wrong"] * MAX_FAILURES + ["locked"] * 3, route.name)
                self.assertLockedEvenWithTheRightPassword(route)

    def test_parallel_guesses_are_checked_at_most_max_failures_times(self):
        for make in self.routes():
            route, _, _ = make()
            with self.subTest(route=route.name):
                with concurrent.futures.ThreadPoolExecutor(max_workers=WORKERS) as pool:
                    answers = list(pool.map(lambda i: route.send("parallel-guess-%02d-x" % i), range(BURST)))
                kinds = [self.kind(route, r) for r in answers]
                # Guesses refused as busy were never checked; keep guessing until the lock shows.
                for i in range(BURST, BURST + 2 * MAX_FAILURES + 2):
                    if kinds[-1] == "locked":
                        break
                    kinds.append(self.kind(route, route.send("serial-guess-%02d-xx" % i)))
                self.assertLessEqual(kinds.count("wrong"), MAX_FAILURES,
                                     "%s: more guesses checked than the lock-out allows: %r" % (route.name, kinds))
                self.assertEqual(kinds[-1], "locked", "%s: %r" % (route.name, kinds))
                self.assertLockedEvenWithTheRightPassword(route)

    def test_guesses_across_routes_share_one_budget(self):
        """A person's password has one budget: wrong sign-ins, wrong current passwords and wrong
        witness confirmations of the same person add up."""
        # Sign-in and one's own password change.
        route, name, password = self.password_change_route()
        login = lambda guess: Client(self.port).post("/api/v1/auth/login", {"username": name, "password": guess})
        self.assertStatus(login("cross-guess-1-xxxx"), 401)
        self.assertEqual(self.kind(route, route.send("cross-guess-2-xxxx")), "wrong")
        self.assertStatus(login("cross-guess-3-xxxx"), 401)
        self.assertError(login(password), 429, code="locked")
        # Sign-in and witnessing: a nurse guessing a physician's password as "witness" spends the
        # same budget as guessing it at the sign-in form.
        route, name, password = self.witness_route()
        login = lambda guess: Client(self.port).post("/api/v1/auth/login", {"username": name, "password": guess})
        self.assertEqual(self.kind(route, route.send("cross-guess-1-xxxx")), "wrong")
        self.assertStatus(login("cross-guess-2-xxxx"), 401)
        self.assertEqual(self.kind(route, route.send("cross-guess-3-xxxx")), "wrong")
        self.assertError(login(password), 429, code="locked")
        self.assertEqual(self.kind(route, route.send(password)), "locked")

    def test_a_lock_holds_for_unknown_names_and_witnesses_alike(self):
        """Unknown usernames and unknown witness ids lock exactly like real ones (nothing to
        enumerate by watching for a lock that never comes)."""
        ghost = unique("nobody")
        kinds = [Client(self.port).post("/api/v1/auth/login", {"username": ghost, "password": "guess-%d-xxxxxxxx" % i}).status
                 for i in range(MAX_FAILURES + 1)]
        self.assertEqual(kinds, [401] * MAX_FAILURES + [429])
        codes = [self.nurse.post("/api/v1/stock/wastes", {
            "session_id": 999999, "witness_user_id": 987654, "witness_password": "guess-%d-xxxxxxxx" % i,
            "mg": 1}).status for i in range(MAX_FAILURES + 1)]
        self.assertEqual(codes, [422] * MAX_FAILURES + [429])


if __name__ == "__main__":
    unittest.main()
