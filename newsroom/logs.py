"""Log records as single lines, so that each event is one line on stdout whatever collects it."""

import logging


class OneLineFormatter(logging.Formatter):
    """The usual format, plus ` status=<code>` on Django's request records (whose message
    already names the path); newlines in the message or a traceback are written as `\\n`."""

    def formatMessage(self, record):
        line = super().formatMessage(record)
        status = getattr(record, "status_code", None)
        return f"{line} status={status}" if status is not None else line

    def format(self, record):
        return super().format(record).replace("\r", "\\r").replace("\n", "\\n")
