"""A TCP relay between a station and the hub that can drop every packet on demand (Wi-Fi gone, nothing
refused), to prove a station gives up on a silent hub within seconds."""

from __future__ import annotations

import contextlib
import socket
import threading


class Proxy:
    def __init__(self, host: str, port: int) -> None:
        self._target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._flowing = threading.Event()
        self._flowing.set()
        self._closed = threading.Event()
        self._budget: int | None = None
        self.heard = bytearray()  # every byte relayed, both ways: what anyone on the network sees
        self._hearing = threading.Lock()
        threading.Thread(target=self._accept, daemon=True).start()

    def freeze(self) -> None:
        self._flowing.clear()

    def freeze_after(self, count: int) -> None:
        """Let ``count`` more bytes through (towards the hub), then freeze."""
        self._budget = count

    def thaw(self) -> None:
        self._flowing.set()

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self._target)
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                if self._budget is not None and sink.getpeername() == self._target:
                    self._budget -= len(chunk)
                    if self._budget <= 0:
                        self._budget = None
                        self._flowing.clear()
                self._flowing.wait()  # frozen: hold the bytes, like a dead link would
                if self._closed.is_set():
                    break
                with self._hearing:
                    self.heard += chunk
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for end in (source, sink):
                with contextlib.suppress(OSError):
                    end.shutdown(socket.SHUT_RDWR)

    def __enter__(self) -> Proxy:
        return self

    def __exit__(self, *_: object) -> None:
        self._closed.set()
        self._flowing.set()
        self._listener.close()
