"""What a card template may do: read its variables and write text, within bounds.

Templates come from shared deck repositories (``templates/`` beside ``decks/`` is picked up
by itself), so a template is untrusted code. It runs in Jinja's immutable sandbox, may read
only podcards' own data and Python's plain values (a ``Path`` has no attributes for it), and
every render from Python code gets a budget: steps (loop iterations, calls, operators),
characters written, and seconds. Operators and filters that multiply sizes (``'x' * n``,
``center(n)``, ``'%9999d'``, ``join``) are checked before they run. Template files are read
by a loader that stays inside its folder and turns every unreadable file into a message.
"""

from __future__ import annotations

import os
import string
import sys
import time
import traceback
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass, field
from functools import update_wrapper
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2 import nodes
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from podcards.errors import Location, PodcardsError, Problem

MAX_TEMPLATE_BYTES = 256 * 1024
MAX_STEPS = 100_000  # loop iterations, calls and operators of one render
MAX_OUTPUT = 4_000_000  # characters one render may write
MAX_TEXT = 4_000_000  # characters (or items) any one value may have
MAX_SECONDS = 2.0  # one render
MAX_WIDTH = 10_000  # a width or precision in a format
_MAX_BITS = 100_000  # of a whole number made by **
_VISITS = 100_000  # values looked at to weigh one
_PLAIN = (str, int, float, bool, type(None), tuple, list, dict, set, frozenset, range)
_TOO_DEEP = "the template includes or calls itself too deeply"
_OWN_MODULES = ("podcards.deck", "podcards.errors", "jinja2.", "markupsafe")


class TemplateLimit(SecurityError):
    """A template went past one of its bounds: a message for the template's author."""


class TemplateFileError(jinja2.TemplateSyntaxError, PodcardsError):
    """A template file that cannot be read: a ``path: message`` problem for the user.

    A ``TemplateSyntaxError`` so that Jinja and the renderer report it where they report
    syntax errors, and a ``PodcardsError`` so that the command line prints it anywhere else.
    """

    def __init__(self, path: Path | str, message: str, line: int = 0) -> None:
        super().__init__(message, line or 1, None, str(path))
        self.problems = [Problem(Location.of(_shown(path), line), message)]


def _shown(path: Path | str) -> str:
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


class TemplateLoader(jinja2.BaseLoader):
    """Template files from folders, earlier folders first; never outside a folder.

    A name found in a folder must be a readable UTF-8 file there: a folder, a dangling or
    outward symbolic link, a huge or undecodable file is an error, not a fall-back to the
    next folder (or a way to copy a private file into every card).
    """

    def __init__(self, folders: list[Path]) -> None:
        self.folders = [Path(folder) for folder in folders]

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.folders:
            path = folder.joinpath(*pieces)
            if not os.path.lexists(path):
                continue
            text = _read_template(folder, path)
            return text, str(path), _unchanged(path)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: Path) -> Callable[[], bool]:
    """Jinja's test whether a compiled template is still that of the file."""
    mtime = os.path.getmtime(path)

    def check() -> bool:
        try:
            return os.path.getmtime(path) == mtime
        except OSError:
            return False

    return check


def _read_template(folder: Path, path: Path) -> str:
    if not path.exists():
        raise TemplateFileError(path, "is a symbolic link to nothing; remove it or fix it")
    try:
        inside = path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        inside = False
    if not inside:
        raise TemplateFileError(
            path,
            f"links to a file outside {_shown(folder)}; a template must be a file of its folder",
        )
    if path.is_dir():
        raise TemplateFileError(path, "is a folder, not a template file")
    if not path.is_file():  # a device or a pipe would never end, or never begin
        raise TemplateFileError(path, "is not a file, not a template file")
    try:
        with path.open("rb") as stream:
            raw = stream.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as error:
        raise TemplateFileError(path, f"cannot read: {error.strerror or error}") from None
    if len(raw) > MAX_TEMPLATE_BYTES:
        raise TemplateFileError(
            path, f"is larger than {MAX_TEMPLATE_BYTES // 1024} KB; templates are small"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise TemplateFileError(path, "is not UTF-8 text; save it as UTF-8", line) from None


# -- the budget of one render ----------------------------------------------------------------


@dataclass
class _Budget:
    name: str = ""  # the template whose render started the budget
    running: str = ""  # the template whose code ran last: the one to blame
    steps: int = MAX_STEPS
    output: int = MAX_OUTPUT
    deadline: float = 0.0
    weights: dict[int, int] = field(default_factory=dict)  # by id(), for this render only
    failed: dict[str, str] = field(default_factory=dict)  # template -> why, for the build

    def start(self, name: str) -> None:
        if name in self.failed:  # it failed once: every later render would fail the same way
            raise TemplateLimit(self.failed[name])
        self.name = self.running = name
        self.steps, self.output = MAX_STEPS, MAX_OUTPUT
        self.deadline = time.monotonic() + MAX_SECONDS
        self.weights.clear()

    def step(self, count: int = 1) -> None:
        self.steps -= count
        if self.steps < 0:
            self.exceeded(
                f"the template takes more than {MAX_STEPS} steps (loop rounds, calls, "
                "operators) for one card"
            )
        if time.monotonic() > self.deadline:
            self.exceeded(f"the template takes longer than {MAX_SECONDS:g} s for one card")

    def write(self, characters: int) -> None:
        self.output -= characters
        if self.output < 0:
            self.exceeded(f"the template writes more than {MAX_OUTPUT} characters for one card")

    def exceeded(self, message: str) -> None:
        if self.running:
            self.failed[self.running] = message
        raise TemplateLimit(message)

    def blame(self, context: Any) -> None:
        self.running = getattr(context, "name", None) or self.running


def _too_big(what: str) -> TemplateLimit:
    return TemplateLimit(f"{what} would be longer than {MAX_TEXT} characters")


class BoundedEnvironment(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox, bounded: no template can run code, read files or hang.

    Every ``get_template`` from Python code (not an include from a template) starts a render
    with a fresh budget; a template that once went past its budget fails at once after that.
    """

    intercepted_binops = frozenset({"+", "*", "**", "%", "//"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.budget = _Budget()
        self.globals.pop("lipsum", None)
        guarded = _GuardedFilters(self)
        guarded.update(self.filters)
        self.filters = guarded
        self.filters.update(
            podcards_loop=self._loop, podcards_out=self._out, podcards_concat=self._concat
        )

    # -- rendering entry points --

    def get_template(
        self,
        name: str | jinja2.Template,
        parent: str | None = None,
        globals: MutableMapping[str, Any] | None = None,
    ) -> jinja2.Template:
        if parent is None and isinstance(name, str):
            self.budget.start(name)
        else:
            self.budget.step()  # an include, import or extends in a template
        return super().get_template(name, parent, globals)

    def handle_exception(self, source: str | None = None) -> NoReturn:
        """Re-raise a failed render's error; running out of stack or memory is a limit."""
        error = sys.exc_info()[1]
        if isinstance(error, RecursionError):
            raise TemplateLimit(_TOO_DEEP) from None
        if isinstance(error, MemoryError):
            raise _too_big("a value") from None
        super().handle_exception(source)

    def compile(
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        """Compile with every loop, output and ``~`` counted; nesting limits become errors."""
        try:
            tree = self.parse(source, name, filename) if isinstance(source, str) else source
            counted: nodes.Template = _Counted().visit(tree)
            return super().compile(counted, name, filename, raw, defer_init)  # type: ignore[call-overload]
        except (RecursionError, SyntaxError, MemoryError) as error:
            if isinstance(error, jinja2.TemplateSyntaxError):
                raise
            raise jinja2.TemplateSyntaxError(
                "the template is nested too deeply", 1, name, filename
            ) from None

    # -- what a template may touch --

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Only podcards' data, Jinja's own helpers and plain values have attributes here."""
        if not super().is_safe_attribute(obj, attr, value):
            return False
        module = type(obj).__module__ or ""
        return isinstance(obj, _PLAIN) or module.startswith(_OWN_MODULES)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        __self.budget.blame(__context)
        __self.budget.step()
        name = getattr(__obj, "__name__", "call")
        _check_arguments(__self, name, getattr(__obj, "__self__", None), [*args, *kwargs.values()])
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        except MemoryError:
            raise _too_big("a value") from None
        except Exception as error:
            if (replacement := _as_template_error(error)) is None:
                raise
            raise replacement from error
        _check_result(result)
        return result

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        self.budget.blame(context)
        self.budget.step()
        if operator == "**" and _is_int(left) and _is_int(right):
            if right > 1 and abs(left) > 1 and abs(left).bit_length() * right > _MAX_BITS:
                raise TemplateLimit(f"{operator}: the number would have more than {_MAX_BITS} bits")
        elif operator == "*":
            for sequence, times in ((left, right), (right, left)):
                repeats = _is_int(times) and isinstance(sequence, str | list | tuple)
                if repeats and times > 0 and self.weight(sequence) * times > MAX_TEXT:
                    raise _too_big("the repeated text")
        elif operator == "+" and isinstance(left, str | list | tuple):
            if self.weight(left) + self.weight(right) > MAX_TEXT:
                raise _too_big("the sum")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left)
            if self.weight(right) > MAX_TEXT:
                raise _too_big("the formatted text")
        try:
            return super().call_binop(context, operator, left, right)
        except MemoryError:
            raise _too_big("the result") from None
        except Exception as error:
            if (replacement := _as_template_error(error)) is None:
                raise
            raise replacement from error

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        _check_brace_format(value.__self__)
        return wrapped

    def weight(self, value: Any) -> int:
        """About how many characters the value is as text; MAX_TEXT + 1 when more."""
        return _weigh(value, self.budget.weights)

    # -- the filters the bounded template code calls --

    @jinja2.pass_context
    def _loop(self, context: Any, iterable: Any) -> Iterator[Any]:
        self.budget.blame(context)
        if isinstance(iterable, jinja2.Undefined):
            iterable = iter(iterable)  # a StrictUndefined raises the template's own error
        for value in iterable:
            self.budget.step()
            yield value

    @jinja2.pass_context
    def _out(self, context: Any, value: Any) -> Any:
        self.budget.blame(context)
        if isinstance(value, str):
            self.budget.write(len(value))
        elif isinstance(value, int | float | bool | jinja2.Undefined) or value is None:
            self.budget.write(24)
        else:
            size = self.weight(value)
            if size > MAX_TEXT:
                raise _too_big("the value written")
            self.budget.write(size)
        return value

    @jinja2.pass_eval_context
    def _concat(self, eval_context: Any, values: list[Any]) -> str:
        """``a ~ b``, once the parts are known to make a text of bounded length."""
        self.budget.step()
        if sum(self.weight(value) for value in values) > MAX_TEXT:
            raise _too_big("the joined text")
        return (markup_join if eval_context.autoescape else str_join)(values)


def _as_template_error(error: Exception, name: str = "") -> Exception | None:
    """A failure inside what a template called, as the template's own error.

    Python raises it outside the template's code (``'a'.index('b')``, ``x|format(1)``,
    ``1 // 0``), where it would look like a bug of podcards; podcards' own errors, and
    those the template's code raised itself, stay as they are (None).
    """
    if isinstance(error, RecursionError):
        return TemplateLimit(_TOO_DEEP)
    if isinstance(error, jinja2.TemplateError) or type(error).__module__.startswith("podcards"):
        return None
    frames = traceback.extract_tb(error.__traceback__)
    if frames and frames[-1].filename.endswith(".j2"):
        return None
    where = f"{name}: " if name else ""
    return jinja2.TemplateRuntimeError(f"{where}{error or type(error).__name__}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _weigh(value: Any, memo: dict[int, int]) -> int:
    """Characters of the value as text, counted without building that text."""
    total, visits = 0, 0
    pending: list[Any] = [value]
    while pending:
        item = pending.pop()
        visits += 1
        if visits > _VISITS or total > MAX_TEXT:
            return MAX_TEXT + 1
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, list | tuple | set | frozenset):
            total += 2 + len(item)
            pending.extend(item)
        elif isinstance(item, dict):
            total += 2 + 2 * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, int | float | bool) or item is None:
            total += 8
        else:
            key = id(item)
            if key not in memo:
                try:
                    memo[key] = len(str(item))
                except Exception:
                    memo[key] = 8
            total += memo[key]
    return total if total <= MAX_TEXT else MAX_TEXT + 1


_MULTIPLYING = frozenset(
    {"center", "ljust", "rjust", "zfill", "expandtabs", "indent", "batch", "slice", "wordwrap"}
)
"""Functions and filters whose result grows with a number they are given."""


def _check_arguments(env: BoundedEnvironment, name: str, owner: Any, values: list[Any]) -> None:
    """Refuse a call whose result would be huge: a size times a number, a join, a replace."""
    numbers = [abs(v) for v in values if _is_int(v)]
    if numbers and max(numbers) > MAX_TEXT:
        raise TemplateLimit(f"{name}: the number {max(numbers)} is larger than {MAX_TEXT}")
    if name in _MULTIPLYING and numbers and owner is not None:
        if env.weight(owner) * max(numbers) > MAX_TEXT:
            raise _too_big(f"the result of {name}")
    elif name == "join" and owner is not None:
        if env.weight(owner) + sum(env.weight(v) for v in values) > MAX_TEXT:
            raise _too_big("the joined text")
    elif name == "replace" and isinstance(owner, str) and len(values) >= 2:
        old, new = values[0], values[1]
        if isinstance(old, str) and isinstance(new, str) and len(new) > len(old):
            count = len(owner) + 1 if not old else owner.count(old)
            if len(owner) + count * (len(new) - len(old)) > MAX_TEXT:
                raise _too_big("the result of replace")


def _check_result(result: Any) -> None:
    if isinstance(result, str | list | tuple | dict) and len(result) > MAX_TEXT:
        raise _too_big("a value")


def _check_percent_format(text: str) -> None:
    """``'%9999999d' % n`` would build a huge text: widths and precisions stay small."""
    position = text.find("%")
    while position >= 0:
        index = position + 1
        if text.startswith("(", index):
            index = text.find(")", index)
            if index < 0:
                return  # Python refuses the format itself
            index += 1
        digits = 0
        while index < len(text) and text[index] in "#0- +*.0123456789":
            if text[index] == "*":
                raise TemplateLimit("a format may not take its width from an argument ('*')")
            digits = digits + 1 if text[index].isdigit() else 0
            if digits > len(str(MAX_WIDTH)):
                raise TemplateLimit(f"a width or precision in a format is larger than {MAX_WIDTH}")
            index += 1
        position = text.find("%", index + 1)


def _check_brace_format(text: str) -> None:
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return  # Python refuses the format itself
    for _, _, spec, _ in parsed:
        if spec and (
            "{" in spec or any(len(run) > len(str(MAX_WIDTH)) for run in _digit_runs(spec))
        ):
            raise TemplateLimit(f"a width or precision in a format is larger than {MAX_WIDTH}")


def _digit_runs(text: str) -> list[str]:
    runs, current = [], ""
    for char in text:
        if char.isdigit():
            current += char
        elif current:
            runs.append(current)
            current = ""
    return [*runs, current] if current else runs


class _GuardedFilters(dict[str, Any]):
    """The environment's filters, each checked like a call before it runs."""

    def __init__(self, env: BoundedEnvironment) -> None:
        super().__init__()
        self.env = env

    def __setitem__(self, name: str, function: Any) -> None:
        super().__setitem__(name, _guarded(self.env, name, function))

    def update(self, *args: Any, **kwargs: Any) -> None:
        for name, function in dict(*args, **kwargs).items():
            self[name] = function


def _guarded(env: BoundedEnvironment, name: str, function: Any) -> Any:
    if name.startswith("podcards_"):
        return function
    passes = getattr(function, "jinja_pass_arg", None)

    def checked(*args: Any, **kwargs: Any) -> Any:
        env.budget.step()
        values = args[1:] if passes is not None else args  # after the context or environment
        if name == "format" and values and isinstance(values[0], str):
            _check_percent_format(values[0])
        _check_arguments(env, name, values[0] if values else None, [*values[1:], *kwargs.values()])
        try:
            result = function(*args, **kwargs)
        except MemoryError:
            raise _too_big(f"the result of {name}") from None
        except Exception as error:
            if (replacement := _as_template_error(error, name)) is None:
                raise
            raise replacement from error
        _check_result(result)
        return result

    return update_wrapper(checked, function)


# -- the template code, rewritten to count -----------------------------------------------------


def _filter(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Counted(NodeTransformer):
    """Every loop round, every piece of output and every ``~`` goes through a counting filter.

    Template text is counted too, so that text a loop or a macro repeats is not free.
    """

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "podcards_loop")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [
            _filter(
                nodes.MarkSafeIfAutoescape(nodes.Const(child.data), lineno=child.lineno)
                if isinstance(child, nodes.TemplateData)
                else child,
                "podcards_out",
            )
            for child in node.nodes
        ]
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(nodes.List(node.nodes, lineno=node.lineno), "podcards_concat")
