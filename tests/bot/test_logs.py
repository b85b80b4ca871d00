from __future__ import annotations

import logging

from bot.logs import SecretFilter


def test_configured_secrets_and_token_shapes_are_masked(caplog):
    logger = logging.getLogger("devrelbot.test.secrets")
    caplog.handler.addFilter(SecretFilter(["my-signing-secret"]))
    with caplog.at_level(logging.INFO, logger="devrelbot.test.secrets"):
        logger.info("signing with %s", "my-signing-secret")
        logger.info("GET https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/getMe")
        logger.info("slack said no to xoxb-1234567890-abcdefghij")
        try:
            raise RuntimeError("token xapp-1-A0000-123456-abcdef leaked into an error")
        except RuntimeError:
            logger.exception("failed")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    for secret in ("my-signing-secret", "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", "xoxb-1234567890-abcdefghij",
                   "xapp-1-A0000-123456-abcdef"):
        assert secret not in text
    assert "signing with ***" in text and "bot***/getMe" in text and "no to ***" in text
