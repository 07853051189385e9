import unittest

from baton import exponential_backoff, flow, task
from baton._retry import retry_delay, to_wire_retry_delay


class RetryDelays(unittest.TestCase):
    def test_a_number_is_the_delay_of_every_retry(self):
        self.assertEqual([retry_delay(5, 3, r) for r in (1, 2, 3)], [5, 5, 5])

    def test_a_list_gives_one_per_retry_and_its_last_repeats(self):
        self.assertEqual([retry_delay([1, 10], 3, r) for r in (1, 2, 3)], [1, 10, 10])

    def test_exponential_backoff_doubles(self):
        backoff = exponential_backoff(backoff_factor=10)
        self.assertEqual(backoff(3), [10, 20, 40])
        self.assertEqual([retry_delay(backoff, 3, r) for r in (1, 2, 3)], [10, 20, 40])

    def test_jitter_stays_within_its_factor(self):
        delays = [retry_delay(10, 1, 1, jitter_factor=0.5) for _ in range(500)]
        self.assertTrue(all(5 <= d <= 15 for d in delays))
        self.assertGreater(len(set(delays)), 100)
        self.assertTrue(all(d >= 0 for d in (retry_delay(10, 1, 1, jitter_factor=3) for _ in range(200))))

    def test_no_delay_means_zero(self):
        self.assertEqual(retry_delay(None, 2, 2), 0)

    def test_bad_options_are_refused_when_decorating(self):
        with self.assertRaisesRegex(ValueError, "retry_delay_seconds must be seconds"):
            task(retry_delay_seconds="soon")(lambda: 1)
        with self.assertRaisesRegex(ValueError, "retries must be a whole number"):
            task(retries=-1)(lambda: 1)
        with self.assertRaisesRegex(ValueError, "at most 50"):
            task(retry_delay_seconds=[1] * 51)(lambda: 1)
        with self.assertRaisesRegex(ValueError, "retry_jitter_factor"):
            task(retry_jitter_factor=-1)(lambda: 1)
        with self.assertRaisesRegex(TypeError, "cache_expiration must be a datetime.timedelta"):
            task(cache_expiration=60)(lambda: 1)

    def test_the_deployment_form_of_a_flows_retry_delay(self):
        self.assertEqual(to_wire_retry_delay(5, 2), {"kind": "fixed", "seconds": 5})
        self.assertEqual(to_wire_retry_delay([1, 2], 2), {"kind": "list", "seconds": [1, 2]})
        self.assertEqual(to_wire_retry_delay(exponential_backoff(3), 2, 0.2), {"kind": "exponential", "baseSeconds": 3, "jitter": 0.2})
        self.assertIsNone(to_wire_retry_delay(None, 0))

        @flow(retries=2, retry_delay_seconds=[1, 4], timeout_seconds=60, tags=["ml"])
        def f():
            pass

        d = f.describe()
        self.assertEqual((d["retries"], d["retryDelay"], d["timeoutSeconds"], d["tags"]), (2, {"kind": "list", "seconds": [1, 4]}, 60, ["ml"]))


if __name__ == "__main__":
    unittest.main()
