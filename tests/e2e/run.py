#!/usr/bin/python3
"""Runs the end-to-end tests: /usr/bin/python3 tests/e2e/run.py [-k PATTERN]... [-q]

Ends with one line 'e2e: N passed, N failed, N skipped'. Exit 0 only when nothing failed;
under CI=true a skipped test is a failure too.
"""

import argparse
import os
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


class TimedResult(unittest.TextTestResult):
    """Adds each test's wall time to the verbose listing."""

    def startTest(self, test):
        self._started = time.monotonic()
        super().startTest(test)

    def _took(self):
        return f' ({time.monotonic() - self._started:.1f} s)'

    def addSuccess(self, test):
        if self.showAll:
            self.stream.write(self._took() + ' ')
        super().addSuccess(test)

    def addFailure(self, test, err):
        if self.showAll:
            self.stream.write(self._took() + ' ')
        super().addFailure(test, err)

    def addError(self, test, err):
        if self.showAll:
            self.stream.write(self._took() + ' ')
        super().addError(test, err)


def _test_of(test):
    """The test case a subTest outcome belongs to (the test itself otherwise)."""
    return getattr(test, 'test_case', test)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('-k', action='append', default=[], dest='patterns',
                        help='only tests whose name contains this substring (repeatable)')
    parser.add_argument('-q', '--quiet', action='store_true')
    args = parser.parse_args()

    loader = unittest.TestLoader()
    if args.patterns:
        loader.testNamePatterns = [f'*{p}*' for p in args.patterns]
    suite = loader.discover(HERE, pattern='test_*.py', top_level_dir=HERE)

    problem = harness.environment_problem()
    if problem:
        print(f'e2e: environment: {problem}', flush=True)
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=1 if args.quiet else 2,
                                     resultclass=TimedResult)
    result = runner.run(suite)

    # Tests, not outcomes: a test whose subTests fail three times is one failed test.
    failed = len({_test_of(t).id() for t, _ in result.failures + result.errors}
                 | {t.id() for t in result.unexpectedSuccesses})
    skipped = len({_test_of(t).id() for t, _ in result.skipped})
    passed = max(result.testsRun - failed - skipped - len(result.expectedFailures), 0)
    if result.testsRun == 0:
        print('e2e: no tests ran')
        failed = max(failed, 1)
    if harness.IN_CI and skipped:
        print(f'e2e: CI=true and {skipped} tests skipped: counted as failures')
    print(f'e2e: {passed} passed, {failed} failed, {skipped} skipped', flush=True)
    ok = failed == 0 and not (harness.IN_CI and skipped)
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
