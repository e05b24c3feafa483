"""bench/servers.py without starting a server: the port range and the choice of a free port in it."""

from __future__ import annotations

import socket

import pytest

from bench.servers import ServerStartError, free_port, port_range, streamlit_command


def test_port_range_reads_both_ends_inclusive():
    assert port_range("8720-8739") == range(8720, 8740)
    assert port_range("8720-8720") == range(8720, 8721)
    assert port_range("") is None


@pytest.mark.parametrize("value", ["8720", "8739-8720", "a-b", "0-10", "8720-70000"])
def test_port_range_refuses_what_is_not_low_high(value):
    with pytest.raises(ValueError, match="E2E_PORT_RANGE"):
        port_range(value)


def test_port_range_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("E2E_PORT_RANGE", "8730-8731")
    assert port_range() == range(8730, 8732)
    monkeypatch.delenv("E2E_PORT_RANGE")
    assert port_range() is None


def _listening_socket() -> socket.socket:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    return sock


def test_free_port_skips_a_taken_port_of_the_range():
    with _listening_socket() as taken:
        port = taken.getsockname()[1]
        chosen = free_port(range(port, port + 50))
        assert chosen != port and port < chosen < port + 50


def test_free_port_fails_plainly_when_the_range_is_full():
    with _listening_socket() as taken:
        port = taken.getsockname()[1]
        with pytest.raises(ServerStartError, match=f"no free port in E2E_PORT_RANGE={port}-{port}"):
            free_port(range(port, port + 1))


def test_free_port_honours_the_environment(monkeypatch):
    with _listening_socket() as taken:
        port = taken.getsockname()[1]
        monkeypatch.setenv("E2E_PORT_RANGE", f"{port}-{port}")
        with pytest.raises(ServerStartError):
            free_port()


def test_streamlit_listens_on_loopback_only_on_the_given_port():
    command = streamlit_command("app.py", 8725)
    assert command[command.index("--server.port") + 1] == "8725"
    assert command[command.index("--server.address") + 1] == "127.0.0.1"
    assert command[command.index("--server.headless") + 1] == "true"


def test_free_port_skips_a_port_that_failed_to_start_a_server():
    with _listening_socket() as probe:
        port = probe.getsockname()[1]
    assert free_port(range(port, port + 50), skip=[port]) != port
