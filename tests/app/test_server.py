"""Running the app: the port, Voilà's command line, the warning for another address."""

import socket

import pytest

from retainkit.app import _server
from retainkit.app._server import DEFAULT_PORT, LOCALHOST, exposure_warning
from retainkit.exceptions import ReportError


def test_command_binds_the_given_address_and_hides_tracebacks(tmp_path):
    command = _server._command(tmp_path, host=LOCALHOST, port=8123)
    assert command[1:4] == ["-m", "retainkit.app._voila", str(tmp_path)]
    assert "--Voila.ip=127.0.0.1" in command
    assert "--Voila.port=8123" in command and "--Voila.port_retries=0" in command
    assert "--VoilaConfiguration.show_tracebacks=False" in command
    # the call list's files may be downloaded; the notebooks themselves may not
    assert r"--VoilaConfiguration.file_allowlist=.*\.(csv|xlsx)" in command


def test_a_port_in_use_is_refused_when_asked_for_and_avoided_by_default():
    with socket.socket() as s:
        s.bind((LOCALHOST, 0))
        s.listen()
        taken = s.getsockname()[1]
        with pytest.raises(ReportError, match=f"port {taken} on 127.0.0.1 is in use"):
            _server._pick_port(LOCALHOST, taken)
        assert _server._pick_port(LOCALHOST, None) != taken


def test_default_port_when_free(monkeypatch):
    monkeypatch.setattr(_server, "_port_is_free", lambda host, port: True)
    assert _server._pick_port(LOCALHOST, None) == DEFAULT_PORT


def test_exposure_warning_says_who_can_do_what():
    text = exposure_warning("0.0.0.0", 8866)
    assert "0.0.0.0:8866" in text
    assert "anyone who can reach this address" in text
    assert "without a password" in text
    assert "run the notebooks" in text
