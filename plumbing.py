"""The plumbing every script of the project shares, and no stage owns: settings, errors, input readers,
and outputs written whole.

Kept apart from model.py (as nanoGPT keeps its configurator.py apart) so that model.py holds the
model. Nothing here knows about LLaMA; every stage file imports from here, and this file imports no
stage.
"""

import ast
import ctypes
import errno
import fcntl
import json
import os
import re
import shutil
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import torch

# -----------------------------------------------------------------------------------------------
# Errors and settings



class InputError(SystemExit):
    """A mistake in the user's files or settings. Uncaught, Python prints this one line (no
    traceback) and exits with status 1; tests catch it like any exception."""

    def __init__(self, message):
        super().__init__(f"error: {message}")


SETTING_TYPES = (bool, int, float, str, list, dict, tuple, type(None))


def configure(defaults, argv=None, base=None):
    """nanoGPT-style settings, as a namespace. The caller's lowercase module-level names are the defaults
    (after those of the module `base`: sft.py inherits pretrain.py's); a config file (`name = value`
    lines, read without executing it), then `--name=value` arguments override them. `--help` lists every
    setting with its default and the comment written beside it."""
    argv = sys.argv[1:] if argv is None else argv
    sources = [vars(base), defaults] if base else [defaults]
    settings = {k: v for d in sources for k, v in d.items()
                if k.islower() and not k.startswith('_') and isinstance(v, SETTING_TYPES)}
    script = defaults.get('__file__', 'script')
    if '--help' in argv or '-h' in argv:
        print(_help_text(defaults.get('__doc__') or '', [d.get('__file__', '') for d in sources], settings))
        sys.exit(0)
    kinds = dict(settings)  # each setting's type and shape: its default's, whatever overrides it
    for arg in argv:
        if arg.startswith('--'):
            name, eq, text = arg[2:].partition('=')
            if not eq:
                raise InputError(f"argument {arg!r}: write --{name}=VALUE")
            _check_name(name, settings, f"argument {arg!r}", script)
            value = _parse_value(text, kinds[name], f"argument {arg!r}", name)
            settings[name] = _check_type(value, kinds[name], f"argument {arg!r}", name)
        else:
            for name, (value, where) in _read_config(arg).items():
                _check_name(name, settings, where, script)
                settings[name] = _check_type(value, kinds[name], where, name)
    return SimpleNamespace(**settings)


class ReadOnly(SimpleNamespace):
    """Settings once checked (ReadOnly(**vars(cfg))): assigning or deleting one raises, so that a value derived
    from them is returned and passed instead, and cfg.x is what the user gave from a run's first line to its last."""

    def __setattr__(self, name, value=None):
        raise AttributeError(f"cfg.{name}: the settings are read-only once checked; return a derived value instead")
    __delattr__ = __setattr__


def _check_name(name, settings, where, script):
    if name not in settings:
        raise InputError(f"{where}: unknown setting {name!r} (python {Path(script).name} --help lists them)")


KIND_NAMES = {str: 'a string', int: 'an int', float: 'a float', bool: 'a bool', list: 'a list', tuple: 'a list',
              dict: 'a dict'}


def _kind(values):
    """The one type all of a default's items share (str, int, float, bool), or None: then any goes."""
    kinds = {type(v) for v in values}
    return kinds.pop() if len(kinds) == 1 and kinds <= {str, int, float, bool} else None


def _fits(value, kind):
    """value is of `kind`; an int where a float is meant; a path (str) or a list of them where a path is meant."""
    if kind is None or type(value) is kind or (kind is float and type(value) is int):
        return True
    return kind is str and isinstance(value, (list, tuple)) and all(type(v) is str for v in value)


def _example(default):
    """The default's shape, its first item only: {'en': 1.0, ...}, ['wq', ...], {...}."""
    items = [f'{k!r}: {v!r}' for k, v in default.items()] if isinstance(default, dict) else [repr(v) for v in default]
    inner = (items[:1] or ['...'])[0] + (', ...' if len(items) > 1 else '')
    return f'{{{inner}}}' if isinstance(default, dict) else f'[{inner}]'


def _check_type(value, default, where, name):
    """value, checked against its default's type and shape (from a config file or --name=value alike): a list's
    items and a dict's values of the type the default's share, a dict's keys strings. Keys that must name
    something (a language, a source) are the stage's to check: only it knows the names."""
    if default is None:
        return value
    if isinstance(default, float) and type(value) is int:
        return float(value)
    shape = f" like {_example(default)}" if isinstance(default, (list, tuple, dict)) else ''
    if isinstance(default, (list, tuple)) and isinstance(value, (list, tuple)):
        kind = _kind(default)
        bad = [v for v in value if not _fits(v, kind) or kind and isinstance(v, (list, tuple))]
        if bad:
            raise InputError(f"{where}: {name} must be a list of {kind.__name__} items{shape}, not one holding "
                             f"{bad[0]!r}")
        return type(default)(value)
    if type(value) is not type(default):
        raise InputError(f"{where}: {name} must be {KIND_NAMES[type(default)]}{shape}, not {value!r}")
    if isinstance(default, dict):
        kind = _kind(default.values())
        for k, v in value.items():
            if not isinstance(k, str):
                raise InputError(f"{where}: {name} must be a dict{shape}: its keys are names (strings), not {k!r}")
            if not _fits(v, kind):
                raise InputError(f"{where}: {name}[{k!r}] must be {KIND_NAMES[kind]}{shape}, not {v!r}")
    return value


def _parse_value(text, default, where, name):
    try:
        if isinstance(default, bool):
            if text.lower() not in ('true', 'false', '1', '0', 'yes', 'no'):
                raise ValueError
            return text.lower() in ('true', '1', 'yes')
        if isinstance(default, (int, float, str)):
            return type(default)(text)
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        if default is None:
            return text  # a setting without a typed default takes the text as it is
        if isinstance(default, (list, tuple, dict)):  # often: the shell took the quotes off the strings inside
            raise InputError(f"{where}: {name} must be {KIND_NAMES[type(default)]} like {_example(default)}; "
                             f"quote the strings in it, and the whole value for the shell: "
                             f"--{name}=\"{_example(default)}\"")
        raise InputError(f"{where}: expected {KIND_NAMES[type(default)]}")


def _read_config(path):
    """{name: (value, 'file line N')} from a config file of `name = literal` lines."""
    try:
        source = Path(path).read_text(encoding='utf-8')
    except (OSError, UnicodeDecodeError) as e:
        raise InputError(f"{path}: cannot read this config file ({e})")
    try:
        tree = ast.parse(source, filename=str(path))
    except SyntaxError as e:
        raise InputError(f"{path} line {e.lineno}: not valid Python syntax ({e.msg})")
    out = {}
    for node in tree.body:
        where = f"{path} line {node.lineno}"
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)):
            raise InputError(f"{where}: a config file holds only `name = value` lines")
        try:
            out[node.targets[0].id] = (ast.literal_eval(node.value), where)
        except ValueError:
            raise InputError(f"{where}: the value must be a literal (number, string, list, dict, ...)")
    return out


def _help_text(doc, scripts, settings):
    """The script's docstring, then `--name=default  # the comment beside it in the source`."""
    comments = {}
    for script in scripts:  # the later file's comment wins, as its default does
        try:
            lines = Path(script).read_text(encoding='utf-8').splitlines()
            for node in ast.parse('\n'.join(lines)).body:
                if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
                    line = lines[node.end_lineno - 1]
                    if '#' in line[node.end_col_offset:]:
                        comments[node.targets[0].id] = line[node.end_col_offset:].split('#', 1)[1].strip()
        except (OSError, SyntaxError):
            pass
    rows = [f"  --{k}={v!r}".ljust(44) + (f"  # {comments[k]}" if k in comments else '')
            for k, v in settings.items()]
    usage = f"usage: python {Path(scripts[-1]).name} [config.py] [--name=value ...]"
    return f"{doc.strip()}\n\n{usage}\n\nsettings (defaults):\n" + '\n'.join(rows)


# -----------------------------------------------------------------------------------------------
# Reading users' files: UTF-8 text and Alpaca records


def decode_utf8(data, path, first_line=1):
    """`data` (bytes from `path`, starting at line first_line) as text; invalid UTF-8 is one line naming both."""
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as e:
        line = first_line + data.count(b'\n', 0, e.start)
        raise InputError(f"{path} line {line}: not valid UTF-8 (byte 0x{data[e.start]:02x}); convert the file to UTF-8")


def read_text(path, what):
    """The whole file as text, a leading byte-order mark dropped (as 'utf-8-sig' does)."""
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read this {what} ({e.strerror})")
    return decode_utf8(data, path).removeprefix('\ufeff')


def read_records(path, prompts=False):
    """Alpaca records from a JSON list or JSONL file: [{instruction, input, output}], input optional.
    prompts=True also takes {prompt, output}, a prompt --naive rendered (tokenize_prep.py reads those)."""
    text = read_text(path, 'instruction file')
    if text.lstrip().startswith('['):
        try:
            items = [(f"record {i}", r) for i, r in enumerate(json.loads(text), 1)]
        except json.JSONDecodeError as e:
            raise InputError(f"{path} line {e.lineno}: not valid JSON ({e.msg}); fix or regenerate the file")
    else:  # JSONL: one record a line
        items = []
        for n, line in enumerate(text.split('\n'), 1):  # not splitlines: U+2028 may sit in a JSON string
            if line.strip():
                try:
                    items.append((f"line {n}", json.loads(line)))
                except json.JSONDecodeError as e:
                    raise InputError(f"{path} line {n}: not valid JSON ({e.msg}); fix or regenerate the file")
    records = []
    for where, r in items:
        rendered = prompts and isinstance(r, dict) and 'prompt' in r
        fields = ('prompt', 'output') if rendered else ('instruction', 'input', 'output')
        if isinstance(r, dict) and r.get('input') is None:
            r = {**r, 'input': ''}
        if not (isinstance(r, dict) and all(isinstance(r.get(k), str) for k in fields)):
            raise InputError(f"{path} {where}: not an Alpaca record; each must be an object with string "
                             "fields 'instruction', 'output' (and 'input')")
        records.append({k: r[k] for k in fields})
    if not records:
        raise InputError(f"{path}: no instruction records; give a JSON list or JSONL of "
                         "{instruction, input, output}")
    return records


# -----------------------------------------------------------------------------------------------
# Processes, the machine, and outputs written whole


def lock(path):
    """Hold the output `path` for this run: an exclusive lock on `.NAME.lock` beside it (it exists before the
    output does and outlives a swap of it). Returns the open lock file; closing it (`with lock(p):`) or the end of
    the process, a kill included, releases it, so a lock is never stale. Held by another process: one line."""
    path = Path(os.path.realpath(path))  # two names of one folder share one lock
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path.with_name(f'.{path.name}.lock'), 'a+')
    except OSError as e:
        raise _unwritable(path, e) from None
    try:  # a POSIX lock, not flock: forked workers (tokenize_prep's) do not inherit it, so none outlives a killed run
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        f.seek(0)
        holder = f.read().strip() or '?'
        f.close()
        raise InputError(f"{path}: another run (process {holder}) is writing this output; wait for it to end, "
                         "or choose another output") from None
    f.truncate(0)
    f.write(f"{os.getpid()}\n")  # for the message above, in the next run
    f.flush()
    return f


def _unwritable(path, e):
    """One line for an output that cannot be written: the full disk (not torch's words) or the file in the way."""
    if e.errno in (errno.ENOSPC, errno.EDQUOT):
        disk = next(p for p in Path(os.path.realpath(path)).parents if os.path.ismount(p))
        kept = f"the earlier {path.name} is untouched" if os.path.lexists(path) else "nothing of it was written"
        return InputError(f"{path}: no space left on {disk}; {kept}; free some space and run again")
    blocker = next((p for p in reversed(path.parents) if p.is_file()), None)
    return InputError(f"{path}: cannot write this output ({f'{blocker} is a file' if blocker else e.strerror or e}); "
                      "check the path, its permissions and the free disk space")


def on_interrupt(say):
    """From here on, Ctrl-C (SIGINT) and SIGTERM end the script with the one line say(signal name) and exit status
    128 + the signal (130, 143), no traceback. It is raised as SystemExit wherever the script is, so every
    `finally` runs (atomic_path deletes its temporary name: outputs stay whole)."""
    def stop(signum, frame):
        for s in (signal.SIGINT, signal.SIGTERM):  # a second signal (torchrun's SIGTERM after Ctrl-C) ends at once
            signal.signal(s, signal.SIG_DFL)
        os.write(2, f"{say(signal.Signals(signum).name)}\n".encode())  # not print: the signal may interrupt one
        raise SystemExit(128 + signum)
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, stop)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # another user's process
    return True


def _remove(path):
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def _exchange(a, b):
    """Swap two existing paths in one step (Linux: renameat2 RENAME_EXCHANGE, macOS: renamex_np
    RENAME_SWAP); False where the system or file system cannot (the caller then takes two renames)."""
    libc = ctypes.CDLL(None, use_errno=True)
    a, b = os.fsencode(a), os.fsencode(b)
    if hasattr(libc, 'renameat2'):
        return libc.renameat2(-100, a, -100, b, 2) == 0  # AT_FDCWD, RENAME_EXCHANGE
    if hasattr(libc, 'renamex_np'):
        return libc.renamex_np(a, b, 2) == 0  # RENAME_SWAP
    return False


def recover(path):
    """Undo what a killed atomic_path left beside `path`: a directory moved aside (`.NAME.old<pid>`) goes
    back when `path` is missing; temporary names of processes no longer alive are deleted. (A process id
    means something on this machine only: on a file system shared between machines, one writer per output.)"""
    path = Path(path)
    for p in sorted(path.parent.glob(f'.{path.name}.old*')) + sorted(path.parent.glob(f'.{path.name}.tmp*')):
        pid = p.name[len(path.name) + 5:]
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if p.name.startswith(f'.{path.name}.old') and not os.path.lexists(path):
            os.rename(p, path)
        else:
            _remove(p)


def check_system(device, dtype, where=''):
    """device and dtype settings, checked before anything is built."""
    if dtype not in ('float32', 'bfloat16', 'float16'):
        raise InputError(f"{where}dtype={dtype!r}: choose float32, bfloat16 or float16")
    if not re.fullmatch(r'cpu|cuda(:\d+)?|mps', device):
        raise InputError(f"{where}device={device!r}: choose cpu, cuda, cuda:N or mps")
    if device.startswith('cuda') and not torch.cuda.is_available():
        raise InputError(f"{where}device={device!r}: this machine has no CUDA device PyTorch can use; set device=cpu")
    if device == 'mps' and not torch.backends.mps.is_available():
        raise InputError(f"{where}device='mps': not available here; set device=cpu")


def check_writable(path, setting):
    """An output path this process can create: its nearest existing ancestor is a writable folder."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{setting}={path}: a file, not a folder; name a folder")
    parent = next(p for p in (path, *path.parents) if p.exists() or p == Path(p.anchor or '.'))
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise InputError(f"{setting}={path}: cannot be written ({parent} is "
                         f"{'not a folder' if not parent.is_dir() else 'not writable'}); choose another path")


def check_apart(output, setting, inputs):
    """An output the run replaces (or deletes) as a whole may neither be one of its inputs ({setting: a path or
    a list of paths}) nor hold one: writing it would destroy what it is made from."""
    out = Path(output).resolve()
    for name, paths in inputs.items():
        for path in [paths] if isinstance(paths, (str, Path)) else paths:
            inside = Path(path).resolve()
            if inside == out or out in inside.parents:
                what = f"the same path as {name}" if inside == out else f"holds {name} {path}"
                raise InputError(f"{setting}={output}: {what}, which writing it would destroy; "
                                 f"choose another {setting}")


@contextmanager
def atomic_path(path):
    """Yields a temporary name beside `path`; it replaces `path` only if the block finishes, in
    one rename (a directory replacing a directory: one atomic exchange), so a crash or an error
    at any moment leaves the old output or the new one, whole. Where the exchange is unavailable a
    directory takes two renames; a kill between them is undone by recover(), which every later
    atomic_path(path) runs first. A failure to write becomes one line naming `path`."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        recover(path)
        yield tmp
        if not (tmp.is_dir() and path.is_dir()):
            os.replace(tmp, path)
        elif not _exchange(tmp, path):
            old = path.with_name(f".{path.name}.old{os.getpid()}")
            os.rename(path, old)
            os.rename(tmp, path)
            _remove(old)
    except OSError as e:
        if e.errno not in (errno.ENOSPC, errno.EDQUOT) and e.filename is not None and not (
                Path(e.filename) in (path, *path.parents) or str(e.filename).startswith(str(tmp))):
            raise  # not about the output (an input file, say): the caller's to explain
        raise _unwritable(path, e) from None
    finally:
        try:
            _remove(tmp)  # after an exchange: the old output
        except OSError:
            pass
