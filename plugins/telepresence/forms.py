"""The Telepresence pane's dialogs: connect (namespace choice) and start-intercept.

Each form only collects and validates input and shows the equivalent CLI command live; the
pane turns the result into a Mutation (confirm, audit, read-only) and runs it.
"""

from __future__ import annotations

from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from k8s_essentials_tui.api import CommandPreview, clean, display_text

from .cli import InterceptRequest, TelepresenceCLI, Workload

R = TypeVar("R")

FORM_CSS = """
{cls} {{ align: center middle; }}
{cls} > #dialog {{
    width: 90%; max-width: 96; height: auto; max-height: 100%;
    border: thick $primary; background: $panel; padding: 0 1;
}}
{cls} #title {{ text-style: bold; }}
{cls} .row {{ height: 1; margin-top: 1; }}
{cls} .row > Label {{ width: 16; color: $foreground-muted; }}
{cls} .row > Input, {cls} .row > Select {{ width: 1fr; }}
{cls} .note {{ color: $foreground-muted; padding-left: 16; height: auto; }}
{cls} .error {{ color: $error; height: auto; }}
{cls} #fields {{ height: auto; max-height: 45vh; }}
{cls} CommandPreview {{ margin-top: 1; }}
{cls} #buttons {{ height: auto; align-horizontal: right; margin-top: 1; }}
{cls} #keys {{ width: 1fr; color: $foreground-muted; }}
{cls} Button {{ margin-left: 1; }}
"""


def _keys(verb: str) -> Static:
    """Says how to submit from the keyboard (left of the buttons)."""
    return Static(f"ctrl+s {verb} · esc cancel", id="keys", markup=False)


def parse_header(text: str) -> str | None:
    """``key=value`` or ``key: value`` (curl -H style) -> normalised ``key=value``."""
    text = text.strip()
    for sep in (":", "="):
        key, found, value = text.partition(sep)
        if found and key.strip():
            return f"{key.strip()}={value.strip()}"
    return None


class _Form(ModalScreen[R]):
    """What both forms share: enter, ctrl+s or OK submits, escape or Cancel dismisses with
    None. The fields scroll inside the dialog so the buttons stay on an 80x24 screen."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="telepresence.form.cancel"),
                Binding("ctrl+s", "submit", "Submit", id="telepresence.form.submit")]

    def action_submit(self) -> None:
        self._submit()

    def _submit(self) -> None:
        raise NotImplementedError

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConnectForm(_Form[tuple[str, str] | None]):
    """Choose the namespace to connect to (and where the traffic-manager lives)."""

    DEFAULT_CSS = FORM_CSS.format(cls="ConnectForm")

    def __init__(self, namespace: str, manager_namespace: str, context: str = "") -> None:
        super().__init__()
        self.namespace = namespace
        self.manager_namespace = manager_namespace
        self.context = context

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Connect Telepresence", id="title")
            with VerticalScroll(id="fields"):
                with Horizontal(classes="row"):
                    yield Label("Namespace")
                    yield Input(self.namespace, id="namespace", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Manager ns")
                    yield Input(self.manager_namespace, id="manager", compact=True)
            yield Static("", id="error", classes="error", markup=False)
            yield CommandPreview(clean(self._command()), id="preview")
            with Horizontal(id="buttons"):
                yield _keys("connect")
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Connect", id="ok", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#namespace", Input).focus()

    def _values(self) -> tuple[str, str]:
        return (self.query_one("#namespace", Input).value.strip(),
                self.query_one("#manager", Input).value.strip())

    def _command(self) -> str:
        ns, mgr = (self.namespace, self.manager_namespace) if not self.is_mounted \
            else self._values()
        return TelepresenceCLI.display(TelepresenceCLI.connect_args(ns, mgr, self.context))

    def on_input_changed(self, _event: Input.Changed) -> None:
        preview = self.query_one("#preview", CommandPreview)
        preview.update(clean(f"$ {self._command()}"))

    def _submit(self) -> None:
        ns, mgr = self._values()
        if not ns:
            self.query_one("#error", Static).update("namespace is required")
            return
        self.dismiss((ns, mgr))


class InterceptForm(_Form[InterceptRequest | None]):
    """Workload, service port -> local port, optional header match, env file, mount."""

    DEFAULT_CSS = FORM_CSS.format(cls="InterceptForm")

    def __init__(self, workloads: list[Workload], namespace: str, *, selected: str = "",
                 header_supported: bool = False, client_version: str = "") -> None:
        super().__init__()
        self.workloads = {w.name: w for w in workloads if w.interceptable}
        self.namespace = namespace
        self.selected = selected if selected in self.workloads else next(iter(self.workloads), "")
        self.header_supported = header_supported
        self.client_version = client_version

    # -- layout ------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(clean(f"Start an intercept of {self.selected} in {self.namespace}"
                              if self.selected else f"Start an intercept in {self.namespace}"),
                        id="title", markup=False)
            with VerticalScroll(id="fields"):
                with Horizontal(classes="row"):
                    yield Label("Workload")
                    # names and ports as the CLI listed them: Text prompts, cleaned
                    yield Select([(display_text(n), n) for n in self.workloads],
                                 value=self.selected or Select.NULL,
                                 allow_blank=not self.workloads, id="workload", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Intercept name")
                    yield Input(clean(self.selected), id="name", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Service port")
                    yield Select(self._port_options(self.selected), allow_blank=True,
                                 value=self._default_port(self.selected), id="port", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Local port")
                    yield Input("8080", id="local", type="integer", compact=True)
                with Horizontal(classes="row"):
                    yield Label("Header match")
                    yield Input("", id="header", compact=True,
                                disabled=not self.header_supported,
                                placeholder="x-dev-user=me  (empty = GLOBAL)"
                                if self.header_supported
                                else "not supported by this telepresence")
                if not self.header_supported:
                    yield Static(f"telepresence {self.client_version or ''} has no --http-header: "
                                 "every intercept is GLOBAL (all traffic).".replace("  ", " "),
                                 classes="note", markup=False)
                with Horizontal(classes="row"):
                    yield Label("Env file")
                    yield Input("", id="env", compact=True, placeholder="optional, e.g. ./echo.env")
                with Horizontal(classes="row"):
                    yield Label("Mount")
                    yield Select([("CLI default (true)", "default"), ("no mount", "false"),
                                  ("mount in temp dir", "true")], value="false", allow_blank=False,
                                 id="mount", compact=True)
            yield Static("", id="error", classes="error", markup=False)
            yield CommandPreview(clean(self._command()), id="preview")
            with Horizontal(id="buttons"):
                yield _keys("intercept")
                yield Button("Cancel", id="cancel", compact=True)
                yield Button("Intercept", id="ok", variant="warning", compact=True)

    def _port_options(self, workload: str) -> list[tuple[Text, str]]:
        w = self.workloads.get(workload)
        ports = w.service_ports if w else []
        return [(display_text(f"{p.name or p.port} ({p.port})" if p.name else str(p.port)),
                 p.identifier) for p in ports if p.identifier]

    def _default_port(self, workload: str) -> str | object:
        opts = self._port_options(workload)
        return opts[0][1] if opts else Select.NULL

    def on_mount(self) -> None:
        self.query_one("#local", Input).focus()

    # -- values ------------------------------------------------------------------------------

    def _value(self, selector: str) -> str:
        widget = self.query_one(selector)
        if isinstance(widget, Select):
            v = widget.value
            return "" if v is Select.NULL or v is None else str(v)
        assert isinstance(widget, Input)
        return widget.value.strip()

    def request(self, *, strict: bool = False) -> InterceptRequest:
        """The request the form describes; ``strict`` raises ValueError on bad input."""
        if not self.is_mounted:
            return InterceptRequest(name=self.selected, workload=self.selected,
                                    namespace=self.namespace, local_port=8080,
                                    service_port=str(self._default_port(self.selected))
                                    if self._port_options(self.selected) else "",
                                    mount="false")
        workload = self._value("#workload")
        name = self._value("#name") or workload
        local = self._value("#local")
        try:
            port = int(local)
        except ValueError:
            port = 0
        if strict:
            if not workload:
                raise ValueError("choose a workload")
            if not 0 < port < 65536:
                raise ValueError("local port must be a number from 1 to 65535")
        headers: list[str] = []
        raw = self._value("#header")
        if raw:
            parsed = parse_header(raw)
            if parsed is None and strict:
                raise ValueError("header match must look like name=value")
            headers = [parsed or raw]
        mount = self._value("#mount")
        return InterceptRequest(name=name, workload=workload, namespace=self.namespace,
                                local_port=port, service_port=self._value("#port"),
                                http_headers=headers, env_file=self._value("#env"),
                                mount="" if mount == "default" else mount)

    def _command(self) -> str:
        return TelepresenceCLI.display(self.request().argv())

    def _refresh_preview(self) -> None:
        self.query_one("#preview", CommandPreview).update(clean(f"$ {self._command()}"))

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "workload" and event.value is not Select.NULL:
            workload = str(event.value)
            port = self.query_one("#port", Select)
            port.set_options(self._port_options(workload))
            default = self._default_port(workload)
            if default is not Select.NULL:
                port.value = default
            self.query_one("#name", Input).value = clean(workload)
        self._refresh_preview()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self._refresh_preview()

    def _submit(self) -> None:
        try:
            req = self.request(strict=True)
        except ValueError as exc:
            self.query_one("#error", Static).update(clean(exc, multiline=True))
            return
        self.dismiss(req)
