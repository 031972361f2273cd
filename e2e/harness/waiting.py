"""Polling with a deadline. Every wait in the e2e suite goes through wait_until so none can hang."""

import time


class WaitTimeout(AssertionError):
    """Raised when a condition did not hold in time. An AssertionError so unittest reports a failure."""


class GiveUp(AssertionError):
    """Raised by a predicate when waiting longer cannot help (e.g. the awaited process exited);
    wait_until lets it through at once instead of retrying until the deadline."""


def wait_until(predicate, timeout, what, interval=0.1):
    """Calls predicate() until it returns a truthy value, and returns that value.

    Exceptions raised by predicate count as "not yet" (except GiveUp, which ends the wait at once);
    the last one is quoted in the timeout message,
    which names `what` was awaited so a failure explains itself.
    """
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = predicate()
            if value:
                return value
        except GiveUp:
            raise
        except Exception as error:  # noqa: BLE001 - any failure of the probe means "not ready yet"
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise WaitTimeout(f"timed out after {timeout:.1f}s waiting for {what}{detail}")
        time.sleep(interval)
