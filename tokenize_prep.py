"""Text -> binary token shards (+ loss masks); vocabulary extension; tokenization report.

    python tokenize_prep.py                         # the demo: base-vocabulary shards in out/demo/data/
    python tokenize_prep.py configs/demo_extend.py  # extend the vocabulary on hi+zh, shards in out/demo/data_ext/

Pretraining text becomes one shard per language and split (`en.train.bin`, `en.val.bin`): every
document starts with BOS. Instruction data (Alpaca records, code-mixed records, translation pairs)
becomes one shuffled shard per mixture (`sft.train.bin`) with a loss mask: 0 on BOS and the prompt,
1 on the response and EOS. meta.json beside them names the tokenizer (path and vocabulary digest) and counts
everything. The work streams through worker processes in bounded memory, and the output is the
same byte for byte whatever the number of workers.
"""

import heapq
import io
import json
import os
import signal
import struct
import unicodedata
import zlib
from base64 import b64encode
from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from itertools import chain, islice
from multiprocessing import Pool
from pathlib import Path

import numpy as np
import regex
import sentencepiece as spm
from tqdm import tqdm

from model import LLAMA3_PATTERN, Tokenizer, bpe, find_tokenizer, format_prompt, tiktoken_file_bytes
from plumbing import (InputError, ReadOnly, atomic_path, check_apart, configure, decode_utf8, lock, on_interrupt,
                      read_records, read_text)

# -----------------------------------------------------------------------------------------------
# The shard format: a 32-byte header, the tokens, then (instruction shards) one loss-mask byte per
# token. Header: magic, format version, bytes per token (2 = uint16, 4 = uint32), has-mask flag,
# the largest id + 1 (so that a reader checks ids against its model without reading them; 0 in shards
# written before it was recorded, whose reader then takes one pass over the ids), token count.
MAGIC = b'LLXSHARD'
VERSION = 1
HEADER = np.dtype([('magic', 'S8'), ('version', '<u4'), ('token_bytes', '<u4'), ('has_mask', '<u4'),
                   ('id_bound', '<u4'), ('n_tokens', '<u8')])
assert HEADER.itemsize == 32


def token_dtype(vocab_size):
    """uint16 while every id fits (LLaMA 1/2's 32000), uint32 otherwise (Llama 3's 128256)."""
    return np.dtype('<u2') if vocab_size <= 1 << 16 else np.dtype('<u4')


@dataclass
class Shard:
    path: Path
    tokens: np.ndarray  # memory-mapped token ids
    mask: np.ndarray | None  # memory-mapped 0/1 per token: 1 = trained on (instruction shards only)
    id_bound: int  # the largest id + 1 (0: no tokens)


def write_shard(path, tokens, mask=None):
    """Write tokens (and a mask) as one shard, atomically."""
    tokens = np.asarray(tokens)
    with atomic_path(path) as tmp:
        writer = ShardWriter(tmp, tokens.dtype, mask is not None)
        writer.write(tokens, mask)
        writer.close()


class ShardWriter:
    """A shard written piece by piece: tokens go straight to the file, the header (with the final
    count) last. Mask bytes wait in memory until then (instruction data is held in memory anyway)."""

    def __init__(self, path, dtype, masked=False):
        self.path, self.dtype, self.n_tokens, self.n_docs = Path(path), np.dtype(dtype).newbyteorder('<'), 0, 0
        self.id_bound = 0
        assert self.dtype.itemsize in (2, 4), f"tokens must be uint16 or uint32 (token_dtype), not {dtype}"
        self.file = open(self.path, 'wb')
        self.file.write(bytes(HEADER.itemsize))  # a placeholder until close()
        self.masks = [] if masked else None

    def write(self, tokens, mask=None, docs=0):
        assert (mask is None) == (self.masks is None) and (mask is None or len(mask) == len(tokens))
        tokens = np.asarray(tokens)
        self.file.write(tokens.astype(self.dtype, copy=False).tobytes())
        if mask is not None:
            self.masks.append(np.asarray(mask, dtype=np.uint8).tobytes())
        self.n_tokens += len(tokens)
        self.n_docs += docs
        self.id_bound = max(self.id_bound, int(tokens.max()) + 1 if len(tokens) else 0)

    def close(self):
        self.file.writelines(self.masks or [])
        h = np.zeros((), HEADER)
        h['magic'], h['version'], h['token_bytes'] = MAGIC, VERSION, self.dtype.itemsize
        h['has_mask'], h['n_tokens'], h['id_bound'] = self.masks is not None, self.n_tokens, self.id_bound
        self.file.seek(0)
        self.file.write(h.tobytes())
        self.file.close()
        return {'tokens': self.n_tokens, 'documents': self.n_docs}


def read_shard(path, vocab_size=None):
    """Open a shard as memory maps, after checking its header and size (and, given the vocab_size of the
    tokenizer its meta.json names, that every id is below it)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        with open(path, 'rb') as f:
            raw = f.read(HEADER.itemsize)
    except OSError as e:
        raise InputError(f"{path}: cannot read this shard ({e.strerror})")
    if len(raw) < HEADER.itemsize or np.frombuffer(raw, HEADER)[0]['magic'] != MAGIC:
        raise InputError(f"{path}: not a token shard written by tokenize_prep.py")
    h = np.frombuffer(raw, HEADER)[0]
    if h['version'] != VERSION or h['token_bytes'] not in (2, 4):
        raise InputError(f"{path}: shard format version {h['version']} is not {VERSION}; re-run tokenize_prep.py")
    n, width = int(h['n_tokens']), int(h['token_bytes'])
    expected = HEADER.itemsize + n * (width + bool(h['has_mask']))
    if size != expected:
        raise InputError(f"{path}: {size} bytes but the header promises {expected}; the file is truncated "
                         "or corrupt, re-run tokenize_prep.py")
    tokens = np.memmap(path, dtype=f'<u{width}', mode='r', offset=HEADER.itemsize, shape=(n,))
    mask = (np.memmap(path, dtype=np.uint8, mode='r', offset=HEADER.itemsize + n * width, shape=(n,))
            if h['has_mask'] else None)
    bound = int(h['id_bound']) or (int(tokens.max()) + 1 if n else 0)  # 0: a shard from before; one pass
    if vocab_size is not None and bound > vocab_size:
        raise InputError(f"{path}: token ids up to {bound - 1}, beyond the {vocab_size} of the tokenizer its "
                         "meta.json names; the shard was made with another tokenizer: re-run tokenize_prep.py")
    return Shard(path, tokens, mask, bound)


def read_meta(data_dir, needs=()):
    """meta.json of a data_dir, with the fields `needs` names."""
    path = Path(data_dir) / 'meta.json'
    try:
        meta = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: not found; run tokenize_prep.py to write shards and meta.json")
    except NotADirectoryError:
        raise InputError(f"data_dir={data_dir}: not a folder; name the folder tokenize_prep.py wrote (its out_dir)")
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: not valid JSON ({e})")
    if not isinstance(meta, dict):
        raise InputError(f"{path}: not a JSON object; it is not tokenize_prep.py's, re-run tokenize_prep.py")
    missing = [k for k in needs if k not in meta]
    if missing:
        raise InputError(f"{path}: lacks {', '.join(missing)}; it is not tokenize_prep.py's, re-run tokenize_prep.py")
    return meta


def same_tokenizer(a, b):
    """Whether a and b, each a Tokenizer or a shards' meta.json, are one tokenizer: the same vocabulary
    (digest), whichever file holds it, Meta's tokenizer.model or Hugging Face's tokenizer.json. A meta.json
    written before the digest has only its file's sha256: then files are compared, as they were."""
    a, b = ({'tokenizer_digest': x.digest, 'tokenizer_sha256': x.sha256} if isinstance(x, Tokenizer) else x
            for x in (a, b))
    key = 'tokenizer_digest' if 'tokenizer_digest' in a and 'tokenizer_digest' in b else 'tokenizer_sha256'
    return a.get(key) == b.get(key)


def shards_tokenizer(data_dir, meta):
    """The tokenizer file meta.json names, checked to be the very one the shards were made with: a tokenizer
    retrained in place since would pair their ids with other pieces."""
    tok = Tokenizer(meta['tokenizer'])
    if not same_tokenizer(tok, meta):
        raise InputError(f"{tok.path}: not the tokenizer the shards in {data_dir} were made with (meta.json "
                         "records another); it changed since: restore it, or re-run tokenize_prep.py with it")
    return tok


# -----------------------------------------------------------------------------------------------
# Settings (the demo's; a config file or --name=value overrides them)
tokenizer_path = 'out/demo/tokenizer/tokenizer.model'  # Meta's tokenizer.model, an HF folder, or its tokenizer.json
tokenizer_train = 'data/demo/en.train.txt'  # if tokenizer_path is missing, train an English BPE on this ('' to refuse)
tokenizer_vocab_size = 1000  # pieces of that tokenizer (LLaMA: 32000; the demo's English allows at most ~1800)
out_dir = 'out/demo/data'  # shards and meta.json; replaced as a whole when the run succeeds
pretrain = {'en': 'data/demo/en.train.txt', 'hi': 'data/demo/hi.train.txt',
            'zh': 'data/demo/zh.train.txt'}  # language -> file, folder or list of them (.jsonl: JSON lines, else text)
pretrain_val = {'en': 'data/demo/en.val.txt', 'hi': 'data/demo/hi.val.txt',
                'zh': 'data/demo/zh.val.txt'}  # language -> held-out text; a language not here holds out val_fraction
pretrain_budget = {}  # language -> training tokens to keep (a prefix of the corpus); {} keeps all
pretrain_eos = False  # end pretraining documents with EOS too (LLaMA-style code does not; see encode_batch)
doc_per_file = False  # plain text: one document per file instead of one per line
text_field = 'text'  # JSONL: the field that holds the document
sft = {}  # instruction shards: name -> {source -> {'path', 'lang', 'direction'?, 'optional'?}} (read_source)
sft_budget = {}  # source name -> examples to draw (seeded); evaluate.py's scaling-law allocation fits here
template = 'alpaca'  # model.PROMPT_TEMPLATES key wrapped around instruction records
val_fraction = 0.01  # share held out (seeded) where no val file is given, and of each sft source (beyond its budget)
seed = 1337  # the val split, budget samples and mixture shuffles
workers = 0  # worker processes; 0: one per available core
shorten = {}  # language -> the leading UTF-8 byte its byte tokens drop, e.g. {'hi': 0xE0} (How Multilingual 4.3)
extend = {}  # language -> text to learn new pieces from (Chinese-LLaMA); {} keeps the base vocabulary
extend_out = 'out/demo/tokenizer_ext/tokenizer.model'  # where the extended tokenizer is written
extend_vocab_size = 20000  # pieces of each language's SentencePiece model (Chinese-LLaMA: 20000); Llama 3: new tokens
english_text = 'data/demo/en.train.txt'  # English whose characters new pieces (tokens) must avoid ('' for none)
report = {'en': 'data/demo/flores/eng_Latn.devtest', 'hi': 'data/demo/flores/hin_Deva.devtest',
          'zh': 'data/demo/flores/zho_Hans.devtest'}  # language -> text for the over-tokenization table

# -----------------------------------------------------------------------------------------------
# Reading text: files and folders, cut into blocks of whole lines that workers parse and encode

BLOCK_BYTES = 1 << 18  # a unit of work: 256 KiB of text, ~0.1 s of encoding; small, so no worker idles long at the end


def list_files(paths):
    """A file, a folder (its .txt and .jsonl files, recursively, sorted) or a list of them."""
    files = []
    for p in map(Path, [paths] if isinstance(paths, (str, Path)) else paths):
        if p.is_dir():
            found = sorted(f for f in p.rglob('*') if f.suffix in ('.txt', '.jsonl') and f.is_file())
            if not found:
                raise InputError(f"{p}: this folder holds no .txt or .jsonl files")
            files += found
        elif p.is_file():
            files.append(p)
        else:
            raise InputError(f"{p}: no such file or folder; check the path in the settings")
    return files


def read_blocks(files, doc_per_file):
    """(mode, path, first line number, bytes) for each block: whole lines, or a whole file per document."""
    for path in files:
        mode = 'jsonl' if path.suffix == '.jsonl' else 'file' if doc_per_file else 'lines'
        if mode == 'file':
            yield mode, str(path), 1, path.read_bytes()
            continue
        line, carry = 1, b''
        with open(path, 'rb') as f:
            while block := f.read(BLOCK_BYTES):
                block = carry + block
                cut = block.rfind(b'\n') + 1  # a line longer than a block waits for its end
                if cut:
                    yield mode, str(path), line, block[:cut]
                    line += block.count(b'\n', 0, cut)
                carry = block[cut:]
        if carry:
            yield mode, str(path), line, carry


def parse_documents(mode, path, line, data, field):
    """The documents in one block; blank lines (and whitespace-only files) are none."""
    text = decode_utf8(data, path, line)
    if mode == 'file':
        return [text] if text.strip() else []
    lines = text.split('\n')  # not splitlines(): U+2028 and friends are not line ends in these files
    if mode == 'lines':
        return [s.removesuffix('\r') for s in lines if s and not s.isspace()]
    docs = []
    for i, s in enumerate(lines):
        if s.strip():
            try:
                record = json.loads(s)
            except json.JSONDecodeError as e:
                raise InputError(f"{path} line {line + i}: not valid JSON ({e.msg}); write one JSON object per line")
            if not isinstance(record, dict) or not isinstance(record.get(field), str):
                raise InputError(f"{path} line {line + i}: no {field!r} string in this record; set text_field")
            if record[field].strip():
                docs.append(record[field])
    return docs


def iter_documents(paths, field='text'):
    """Every document (line, or JSONL record) of some text files, in order, in this process."""
    for block in read_blocks(list_files(paths), False):
        yield from parse_documents(*block, field)


# -----------------------------------------------------------------------------------------------
# Encoding: in this process, or in worker processes that each build their own Tokenizer from the path

_tok = None  # a worker process's own Tokenizer, built by the Pool initializer


def _start_worker(path):
    global _tok
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to report; it ends the pool (SIGTERM)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _tok = Tokenizer(path)


def encode_batch(tok, texts, bos, eos):
    """[tok.encode(t, bos, eos) for t in texts]. SentencePiece's batch call returns the same ids
    without a Python call per text; num_threads=1 because the parallelism is ours (processes)."""
    if tok.kind == 'sentencepiece':
        return tok.sp.encode(texts, add_bos=bos, add_eos=eos, num_threads=1)
    return [tok.encode(t, bos, eos) for t in texts]


def _encode_text(tok, block, field, eos, lead_id):
    """One block of pretraining text -> (tokens, tokens per document, bytes read). Documents get
    BOS and no EOS, as LLaMA-style continued-pretraining code does (Chinese-LLaMA's
    run_clm_pt_with_peft.py keeps LlamaTokenizer's default: add_bos only; llama2.c's pretokenize
    calls encode(bos=True, eos=False)): in the packed stream the next BOS already marks the end,
    and when to stop is what the instruction data teaches (every response ends with EOS)."""
    docs = parse_documents(*block, field)
    dtype, ids = token_dtype(tok.n_words), None
    # sentencepiece >= 0.2.2 can return each text's ids as one numpy buffer, which saves making a
    # Python int per token but costs microseconds per text: a gain for texts over ~256 bytes.
    if tok.kind == 'sentencepiece' and docs and len(block[3]) > 256 * len(docs):
        try:
            ids = tok.sp.encode(docs, add_bos=True, add_eos=eos, num_threads=1, out_type='numpy')
            tokens = np.concatenate(ids, dtype=dtype, casting='unsafe')
        except ValueError:  # an older sentencepiece: lists
            ids = None
    if ids is None:
        ids = encode_batch(tok, docs, bos=True, eos=eos)
        tokens = np.fromiter(chain.from_iterable(ids), dtype, sum(map(len, ids)))
    lengths = np.fromiter(map(len, ids), np.int64, len(ids))
    if lead_id is not None and len(ids):
        keep = tokens != lead_id
        tokens, lengths = tokens[keep], np.add.reduceat(keep.astype(np.int64), np.cumsum(lengths) - lengths)
    return tokens, lengths, len(block[3])


def _encode_examples(tok, examples):
    """(prompt, response, lead_id) triples -> (tokens, mask, tokens per example, examples). Prompt and
    response are encoded apart and concatenated, so the mask boundary falls exactly between them; the
    price is that SentencePiece gives the response its own dummy-prefix space ('▁Paris', not
    'Paris' glued to 'Response:'), which is also how it will be encoded and decoded on its own at
    generation time. A tiktoken response starts bare, as Alpaca concatenates the strings."""
    prompts = encode_batch(tok, [e[0] for e in examples], bos=True, eos=False)  # Alpaca: source = BOS + prompt
    responses = encode_batch(tok, [e[1] for e in examples], bos=False, eos=True)  # target = response + EOS
    tokens, mask, lengths = [], [], []
    for p, r, (_, _, lead_id) in zip(prompts, responses, examples):
        if lead_id is not None:
            p, r = [i for i in p if i != lead_id], [i for i in r if i != lead_id]
        tokens += p + r
        mask += [0] * len(p) + [1] * len(r)
        lengths.append(len(p) + len(r))
    tokens = np.array(tokens, token_dtype(tok.n_words))
    return tokens, np.array(mask, np.uint8), np.array(lengths, np.int64), len(examples)


def _in_worker(fn, task):
    try:
        return fn(_tok, *task)
    except InputError as e:  # SystemExit must not end a pool worker: hand the message back instead
        return e.code


def encode_each(fn, tasks, tok, workers):
    """fn(tok, *task) for each task, in order: in this process, or in a Pool when workers > 1 (0: one
    per available core), with at most 4 tasks per worker in flight so that memory stays bounded. A Pool
    per call (one per shard) costs ~0.03 s to start."""
    n = workers or len(os.sched_getaffinity(0))
    if n == 1:
        yield from (fn(tok, *task) for task in tasks)
        return
    with Pool(n, _start_worker, (str(tok.path),)) as pool:
        tasks, pending = iter(tasks), deque()
        while True:
            pending.extend(pool.apply_async(_in_worker, (fn, task)) for task in islice(tasks, 4 * n - len(pending)))
            if not pending:
                return
            out = pending.popleft().get()
            if isinstance(out, str):  # a worker's InputError
                raise InputError(out.removeprefix('error: '))
            yield out


# -----------------------------------------------------------------------------------------------
# Pretraining shards: one per language and split


def write_language(out, lang, cfg, tok, lead_ids):
    files, dtype = list_files(cfg.pretrain[lang]), token_dtype(tok.n_words)
    val_files = list_files(cfg.pretrain_val[lang]) if cfg.pretrain_val.get(lang) else None
    train, val = ShardWriter(out / f'{lang}.train.bin', dtype), ShardWriter(out / f'{lang}.val.bin', dtype)
    rng = np.random.default_rng([cfg.seed, zlib.crc32(lang.encode())])  # per language: adding one changes no other
    budget = cfg.pretrain_budget.get(lang)

    def encoded(paths):
        blocks = read_blocks(paths, cfg.doc_per_file)
        tasks = ((block, cfg.text_field, cfg.pretrain_eos, lead_ids.get(lang)) for block in blocks)
        return encode_each(_encode_text, tasks, tok, cfg.workers)
    total = sum(f.stat().st_size for f in files)
    with tqdm(total=total, unit='B', unit_scale=True, desc=f'{lang}.train', disable=None) as bar:
        for tokens, lengths, n_bytes in encoded(files):
            bar.update(n_bytes)
            if val_files is None and cfg.val_fraction > 0:  # a draw per document, in corpus order
                held = rng.random(len(lengths)) < cfg.val_fraction
                at = np.repeat(held, lengths)
                val.write(tokens[at], docs=int(held.sum()))
                tokens, lengths = tokens[~at], lengths[~held]
            if budget is not None and train.n_tokens + len(tokens) >= budget:
                keep = budget - train.n_tokens  # the last document is cut at the budget, and reading stops
                train.write(tokens[:keep], docs=int((np.cumsum(lengths) - lengths < keep).sum()))
                break
            train.write(tokens, docs=len(lengths))
    for tokens, lengths, _ in encoded(val_files) if val_files else []:
        val.write(tokens, docs=len(lengths))
    if train.n_docs == 0:
        raise InputError(f"{', '.join(map(str, files))}: no documents for {lang!r} (empty corpus); "
                         "give text with one document per line")
    if budget is not None and train.n_tokens < budget:
        print(f"note: {lang}: the budget is {budget:,} tokens but the corpus holds only {train.n_tokens:,}")
    shards = {}
    for split, writer, src in (('train', train, files), ('val', val, val_files or files)):
        counts = writer.close()
        if counts['tokens']:  # an empty held-out shard is not written
            shards[writer.path.name] = {'kind': 'pretrain', 'lang': lang, 'split': split, **counts,
                                        'sources': [str(f) for f in src]}
        else:
            writer.path.unlink()
            if cfg.val_fraction:
                print(f"note: {lang}: val_fraction={cfg.val_fraction} drew no document; no {writer.path.name}")
    return shards


# -----------------------------------------------------------------------------------------------
# Instruction shards: Alpaca records and translation pairs, mixed by budgets and shuffled

# x-LLaMA's translation instructions (NJUNLP/x-LLM data/translation/translation.py): training data
# cycles through them by line number, test data uses the first.
TRANSLATION_INSTRUCTIONS = [
    "Translate the following sentences from {source_lang} to {target_lang}.",
    "What do the following sentences mean in {target_lang}?",
    "Please provide the {target_lang} translation for the following sentences.",
    "Convert the subsequent sentences from {source_lang} into {target_lang}.",
    "Render the listed sentences in {target_lang} from their original {source_lang} form.",
    "Transform the upcoming sentences from {source_lang} language to {target_lang} language.",
    "Change the given sentences from {source_lang} to {target_lang} format.",
    "Turn the following sentences from their {source_lang} version to the {target_lang} version.",
    "Adapt the mentioned sentences from {source_lang} to the {target_lang} language.",
    "Transpose the next sentences from the {source_lang} format to the {target_lang} format.",
    "Switch the specified sentences from their {source_lang} form to {target_lang} form.",
    "Reinterpret the ensuing sentences from {source_lang} to {target_lang} language.",
    "Modify the forthcoming sentences, converting them from {source_lang} to {target_lang}.",
    "How can the subsequent sentences be interpreted in {target_lang}?",
    "What is the meaning of these sentences when translated to {target_lang}?",
    "In the context of {target_lang}, what do the upcoming sentences signify?",
    "How would you express the meaning of the following sentences in {target_lang}?",
    "What is the significance of the mentioned sentences in {target_lang}?",
    "In {target_lang}, what do the given sentences convey?",
    "When translated to {target_lang}, what message do these sentences carry?",
    "What is the intended meaning of the ensuing sentences in {target_lang}?",
    "How should the following sentences be comprehended in {target_lang}?",
    "In terms of {target_lang}, what do the next sentences imply?",
    "Kindly furnish the {target_lang} translation of the subsequent sentences.",
    "Could you supply the {target_lang} translation for the upcoming sentences?",
    "Please offer the {target_lang} rendition for the following statements.",
    "I'd appreciate it if you could present the {target_lang} translation for these sentences.",
    "Can you deliver the {target_lang} translation for the mentioned sentences?",
    "Please share the {target_lang} version of the given sentences.",
    "It would be helpful if you could provide the {target_lang} translation of the ensuing sentences.",
    "Kindly submit the {target_lang} interpretation for the next sentences.",
    "Please make available the {target_lang} translation for the listed sentences.",
    "Can you reveal the {target_lang} translation of the forthcoming sentences?",
]

# Languages by ISO 639-1 code: the English name x-LLaMA's translation instructions use, and the FLORES-200
# code (ISO 639-3 _ ISO 15924 script), whose script part is the language's own for evaluate.py's code-switching
LANGUAGES = {
    'af': ('Afrikaans', 'afr_Latn'), 'am': ('Amharic', 'amh_Ethi'), 'ar': ('Arabic', 'arb_Arab'),
    'as': ('Assamese', 'asm_Beng'), 'az': ('Azerbaijani', 'azj_Latn'), 'be': ('Belarusian', 'bel_Cyrl'),
    'bg': ('Bulgarian', 'bul_Cyrl'), 'bn': ('Bengali', 'ben_Beng'), 'bo': ('Tibetan', 'bod_Tibt'),
    'ca': ('Catalan', 'cat_Latn'), 'cs': ('Czech', 'ces_Latn'), 'cy': ('Welsh', 'cym_Latn'),
    'da': ('Danish', 'dan_Latn'), 'de': ('German', 'deu_Latn'), 'el': ('Greek', 'ell_Grek'),
    'en': ('English', 'eng_Latn'), 'es': ('Spanish', 'spa_Latn'), 'et': ('Estonian', 'est_Latn'),
    'fa': ('Persian', 'pes_Arab'), 'fi': ('Finnish', 'fin_Latn'), 'fr': ('French', 'fra_Latn'),
    'ga': ('Irish', 'gle_Latn'), 'gl': ('Galician', 'glg_Latn'), 'gu': ('Gujarati', 'guj_Gujr'),
    'he': ('Hebrew', 'heb_Hebr'), 'hi': ('Hindi', 'hin_Deva'), 'hr': ('Croatian', 'hrv_Latn'),
    'hu': ('Hungarian', 'hun_Latn'), 'hy': ('Armenian', 'hye_Armn'), 'id': ('Indonesian', 'ind_Latn'),
    'is': ('Icelandic', 'isl_Latn'), 'it': ('Italian', 'ita_Latn'), 'ja': ('Japanese', 'jpn_Jpan'),
    'jv': ('Javanese', 'jav_Latn'), 'ka': ('Georgian', 'kat_Geor'), 'kk': ('Kazakh', 'kaz_Cyrl'),
    'km': ('Khmer', 'khm_Khmr'), 'kn': ('Kannada', 'kan_Knda'), 'ko': ('Korean', 'kor_Hang'),
    'ky': ('Kyrgyz', 'kir_Cyrl'), 'lo': ('Lao', 'lao_Laoo'), 'lt': ('Lithuanian', 'lit_Latn'),
    'lv': ('Latvian', 'lvs_Latn'), 'mk': ('Macedonian', 'mkd_Cyrl'), 'ml': ('Malayalam', 'mal_Mlym'),
    'mn': ('Mongolian', 'khk_Cyrl'), 'mr': ('Marathi', 'mar_Deva'), 'ms': ('Malay', 'zsm_Latn'),
    'my': ('Burmese', 'mya_Mymr'), 'ne': ('Nepali', 'npi_Deva'), 'nl': ('Dutch', 'nld_Latn'),
    'no': ('Norwegian', 'nob_Latn'), 'or': ('Odia', 'ory_Orya'), 'pa': ('Punjabi', 'pan_Guru'),
    'pl': ('Polish', 'pol_Latn'), 'ps': ('Pashto', 'pbt_Arab'), 'pt': ('Portuguese', 'por_Latn'),
    'ro': ('Romanian', 'ron_Latn'), 'ru': ('Russian', 'rus_Cyrl'), 'si': ('Sinhala', 'sin_Sinh'),
    'sk': ('Slovak', 'slk_Latn'), 'sl': ('Slovenian', 'slv_Latn'), 'sr': ('Serbian', 'srp_Cyrl'),
    'sv': ('Swedish', 'swe_Latn'), 'sw': ('Swahili', 'swh_Latn'), 'ta': ('Tamil', 'tam_Taml'),
    'te': ('Telugu', 'tel_Telu'), 'th': ('Thai', 'tha_Thai'), 'tl': ('Tagalog', 'tgl_Latn'),
    'tr': ('Turkish', 'tur_Latn'), 'uk': ('Ukrainian', 'ukr_Cyrl'), 'ur': ('Urdu', 'urd_Arab'),
    'uz': ('Uzbek', 'uzn_Latn'), 'vi': ('Vietnamese', 'vie_Latn'), 'xh': ('Xhosa', 'xho_Latn'),
    'yo': ('Yoruba', 'yor_Latn'), 'zh': ('Chinese', 'zho_Hans'), 'zu': ('Zulu', 'zul_Latn'),
    # the rest of Flores-101's languages (How Multilingual evaluates all of them, Table 9): ISO 639-1 where there is
    # a code, else 639-3 (HML writes ns for nso). Flores-101's zho_trad is zho_Hant, read as 'zh' (iso_code).
    'ast': ('Asturian', 'ast_Latn'), 'bs': ('Bosnian', 'bos_Latn'), 'ceb': ('Cebuano', 'ceb_Latn'),
    'ff': ('Fula', 'fuv_Latn'), 'ha': ('Hausa', 'hau_Latn'), 'ig': ('Igbo', 'ibo_Latn'),
    'kam': ('Kamba', 'kam_Latn'), 'kea': ('Kabuverdianu', 'kea_Latn'), 'ku': ('Kurdish', 'ckb_Arab'),
    'lb': ('Luxembourgish', 'ltz_Latn'), 'lg': ('Luganda', 'lug_Latn'), 'ln': ('Lingala', 'lin_Latn'),
    'luo': ('Luo', 'luo_Latn'), 'mi': ('Maori', 'mri_Latn'), 'mt': ('Maltese', 'mlt_Latn'),
    'nso': ('Northern Sotho', 'nso_Latn'), 'ny': ('Nyanja', 'nya_Latn'), 'oc': ('Occitan', 'oci_Latn'),
    'om': ('Oromo', 'gaz_Latn'), 'sd': ('Sindhi', 'snd_Arab'), 'sn': ('Shona', 'sna_Latn'),
    'so': ('Somali', 'som_Latn'), 'tg': ('Tajik', 'tgk_Cyrl'), 'umb': ('Umbundu', 'umb_Latn'),
    'wo': ('Wolof', 'wol_Latn'),
}


def translation_instruction(source, target, index=0):
    """x-LLaMA's instruction for translating `source` into `target` (language codes)."""
    for code in (source, target):
        if code not in LANGUAGES:
            raise InputError(f"unknown language code {code!r}; add its English name and FLORES code to "
                             "tokenize_prep.LANGUAGES")
    return TRANSLATION_INSTRUCTIONS[index % len(TRANSLATION_INSTRUCTIONS)].format(
        source_lang=LANGUAGES[source][0], target_lang=LANGUAGES[target][0])


def read_parallel(paths):
    """[(line index, first, second)] from a TSV file or two line-aligned files, stripped; pairs
    with an empty side are skipped but keep their index (as x-LLaMA's loader does)."""
    if isinstance(paths, (str, Path)):
        rows = []
        for n, line in enumerate(read_text(paths, 'parallel text file').split('\n'), 1):
            rows.append(line.split('\t') if line.strip() else ('', ''))
            if len(rows[-1]) != 2:
                raise InputError(f"{paths} line {n}: {len(rows[-1])} tab-separated fields, not source<TAB>target")
    else:
        sides = [read_text(p, 'parallel text file').removesuffix('\n').split('\n') for p in paths]
        if len(sides[0]) != len(sides[1]):
            raise InputError(f"{paths[0]} has {len(sides[0])} lines but {paths[1]} has {len(sides[1])}; "
                             "parallel files must be line-aligned")
        rows = list(zip(*sides))
    return [(i, a.strip(), b.strip()) for i, (a, b) in enumerate(rows) if a.strip() and b.strip()]


def read_source(name, spec, template):
    """An instruction source -> ([(prompt, response)], language whose shortening applies), or None
    when an optional source is missing."""
    if not isinstance(spec, dict) or 'path' not in spec or 'lang' not in spec:
        raise InputError(f"sft source {name!r}: write it as {{'path': ..., 'lang': ...}}")
    paths, lang = spec['path'], spec['lang']
    parallel = not isinstance(paths, str) or Path(paths).suffix == '.tsv'
    missing = [p for p in ([paths] if isinstance(paths, str) else paths) if not Path(p).is_file()]
    if missing:
        if spec.get('optional'):
            print(f"note: {missing[0]} not found; optional source {name!r} skipped")
            return None
        raise InputError(f"{missing[0]}: no such file (sft source {name!r})")
    if not parallel:  # Alpaca records; a prompt codemix.py --naive rendered is kept as it is
        records = read_records(paths, prompts=True)
        return [(r['prompt'] if 'prompt' in r else format_prompt(r['instruction'], r['input'], template), r['output'])
                for r in records], lang
    pair = lang.split('-')
    if len(pair) != 2 or (isinstance(paths, list) and len(paths) != 2):
        raise InputError(f"sft source {name!r}: parallel data needs 'lang': 'xx-yy' (the column order) and "
                         "one TSV or two line-aligned files")
    # English to X unless told otherwise: x-LLaMA found that direction transfers better
    direction = spec.get('direction') or ('-'.join(sorted(pair, key=lambda c: c != 'en')) if 'en' in pair else lang)
    src, tgt = direction.split('-')
    if {src, tgt} != set(pair):
        raise InputError(f"sft source {name!r}: direction {direction!r} does not match lang {lang!r}")
    flip = src != pair[0]
    examples = [(format_prompt(translation_instruction(src, tgt, i), b if flip else a, template), a if flip else b)
                for i, a, b in read_parallel(paths)]
    return examples, tgt


def write_mixture(out, name, cfg, tok, lead_ids):
    """A mixture's train and val shards. Each source holds out val_fraction of its examples; a budgeted source
    trains on exactly its budget (LBE's 1K / 5K / 950K, HML's 10K) and holds out from the examples the budget
    left, so the held-out ones were never trained on and the training count is the paper's."""
    split, info, dtype = {'train': [], 'val': []}, {}, token_dtype(tok.n_words)
    for src, spec in cfg.sft[name].items():
        got = read_source(src, spec, cfg.template)
        if got is None:
            continue
        pairs, lang = got
        n = cfg.sft_budget.get(src)
        rng = np.random.default_rng([cfg.seed, zlib.crc32(src.encode())])
        if n is None:
            order = rng.permutation(len(pairs))
            n_val = int(round(len(pairs) * cfg.val_fraction))
            train, val = sorted(order[n_val:]), sorted(order[:n_val])
        elif n > len(pairs):
            print(f"note: {src}: the budget is {n:,} examples but the source holds only {len(pairs):,}; none held out")
            train, val = range(len(pairs)), []
        else:  # a seeded sample of the budget, then the held-out share drawn from what it left (file order kept)
            train = sorted(rng.choice(len(pairs), n, replace=False))
            rest = np.setdiff1d(np.arange(len(pairs)), train)
            n_val = int(round(n * cfg.val_fraction))
            if n_val > len(rest):
                print(f"note: {src}: {len(rest):,} examples beyond the budget of {n:,}, not the {n_val:,} to hold out")
            val = sorted(rng.choice(rest, min(n_val, len(rest)), replace=False))
        for part, idx in (('train', train), ('val', val)):
            split[part] += [(*pairs[i], lead_ids.get(lang)) for i in idx]
        info[src] = {'path': spec['path'], 'lang': spec['lang'], 'examples': len(train), 'held_out': len(val)}
    if not info:
        return {}, {}
    if not split['train']:
        paths = ', '.join(str(s['path']) for s in info.values())
        raise InputError(f"{paths}: no examples for mixture {name!r} (empty input)")
    shards, shuffle = {}, np.random.default_rng([cfg.seed, zlib.crc32(name.encode())])
    for part, examples in split.items():
        if not examples:
            continue
        examples = [examples[i] for i in shuffle.permutation(len(examples))]
        writer = ShardWriter(out / f'{name}.{part}.bin', dtype, masked=True)
        tasks = ((examples[s:s + 256],) for s in range(0, len(examples), 256))
        with tqdm(total=len(examples), unit='ex', desc=f'{name}.{part}', disable=None) as bar:
            for tokens, mask, lengths, n in encode_each(_encode_examples, tasks, tok, cfg.workers):
                writer.write(tokens, mask, docs=n)
                bar.update(n)
        shards[writer.path.name] = {'kind': 'sft', 'mixture': name, 'split': part, **writer.close(),
                                    'languages': sorted({c for s in info.values() for c in s['lang'].split('-')})}
    return shards, info


# -----------------------------------------------------------------------------------------------
# Post-tokenization shortening (How Multilingual sec. 4.3). Under byte fallback every Devanagari,
# Telugu or Thai character costs three byte tokens, and all of them begin with <0xE0>; dropping that
# shared first byte saves a third. Exactly invertible: byte fallback always emits whole characters,
# so a continuation byte (0x80-0xBF) where a character should start can only mean a dropped lead.


def byte_token_ids(tok):
    """{byte: token id} of a SentencePiece model with byte fallback (LLaMA: <0x00> is id 3)."""
    if tok.kind != 'sentencepiece':
        raise InputError(f"{tok.path}: shortening needs a SentencePiece tokenizer with byte fallback, not tiktoken")
    ids = {b: tok.sp.piece_to_id(f'<0x{b:02X}>') for b in range(256)}
    if not all(tok.sp.is_byte(i) for i in ids.values()):
        raise InputError(f"{tok.path}: this SentencePiece model has no byte-fallback pieces to shorten")
    return ids


def _utf8_length(lead):
    return 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4


def shortening_id(tok, lead):
    if not (isinstance(lead, int) and 0xC2 <= lead <= 0xF4):
        raise InputError(f"shorten: {lead!r} is not a leading UTF-8 byte (0xC2..0xF4); Devanagari, Telugu, Thai: 0xE0")
    return byte_token_ids(tok)[lead]


def shorten_ids(ids, tok, lead=0xE0):
    """Drop every <lead> byte token (a list, or a numpy array)."""
    lead_id = shortening_id(tok, lead)
    return ids[ids != lead_id] if isinstance(ids, np.ndarray) else [i for i in ids if i != lead_id]


def unshorten_ids(ids, tok, lead=0xE0):
    """The exact inverse of shorten_ids, for decoding: put <lead> back before every character that
    starts with a continuation byte. On generated ids that are not valid UTF-8 it does its best."""
    lead_id, byte_of = shortening_id(tok, lead), {i: b for b, i in byte_token_ids(tok).items()}
    out, owed = [], 0  # owed: continuation bytes still due to the current character
    for i in ids:
        b = byte_of.get(int(i))
        if b is None:
            owed = 0
        elif owed and 0x80 <= b < 0xC0:
            owed -= 1
        elif 0x80 <= b < 0xC0:
            out.append(lead_id)
            owed = _utf8_length(lead) - 2
        else:
            owed = _utf8_length(b) - 1
        out.append(int(i))
    return out


def shortened(tok, lead):
    """`tok`, changed to encode text without the <lead> byte tokens and to put them back before
    decoding: the tokenizer of a model trained on shortened ids (evaluate.py loads it this way)."""
    encode, decode = tok.encode, tok.decode
    tok.encode = lambda text, bos, eos: shorten_ids(encode(text, bos, eos), tok, lead)
    tok.decode = lambda ids: decode(unshorten_ids(ids, tok, lead))
    return tok


# -----------------------------------------------------------------------------------------------
# Tokenizers: an English-centric base from scratch, and vocabulary extension


def train_sentencepiece(docs, vocab_size, byte_fallback, character_coverage, where):
    """A SentencePiece BPE with LLaMA's options (Llama 2 paper sec. 2.1; its model's trainer spec:
    identity normalization, digits split, whitespace kept as is) -> serialized model bytes."""
    model = io.BytesIO()
    try:
        spm.SentencePieceTrainer.train(
            sentence_iterator=iter(docs), model_writer=model, vocab_size=vocab_size, model_type='bpe',
            byte_fallback=byte_fallback, character_coverage=character_coverage, split_digits=True,
            normalization_rule_name='identity', remove_extra_whitespaces=False, add_dummy_prefix=True,
            allow_whitespace_only_pieces=True, unk_id=0, bos_id=1, eos_id=2, pad_id=-1,
            input_sentence_size=2_000_000, shuffle_input_sentence=True, max_sentence_length=1 << 16,
            num_threads=os.cpu_count(), minloglevel=2)
    except RuntimeError as e:
        raise InputError(f"{where}: SentencePiece could not train a {vocab_size}-piece model "
                         f"({str(e).strip().split('] ')[-1]}); lower the vocabulary size or give more text")
    return model.getvalue()


def train_tokenizer(paths, out_path, vocab_size, field='text'):
    """The demo's English-centric tokenizer: BPE with byte fallback, so text in other scripts falls
    back to UTF-8 bytes as it does under LLaMA's (character coverage 0.99995, as in LLaMA 2's)."""
    data = train_sentencepiece(iter_documents(paths, field), vocab_size, True, 0.99995, paths)
    with atomic_path(out_path) as tmp:
        Path(tmp).write_bytes(data)
    print(f"trained a {vocab_size}-piece English BPE tokenizer -> {out_path}")
    return Path(out_path)


# Characters English text may use: ASCII, Latin letters and diacritics, general punctuation and
# symbols (U+2000-2BFF, which also holds SentencePiece's '▁'), variation selectors and emoji.
SHARED_RANGES = ((0x80, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x2BFF), (0xFE00, 0xFE0F), (0x1F000, 0x1FAFF))


def _shared(ch, protect):
    o = ord(ch)
    return (o < 0x80 or ch in protect or any(a <= o <= b for a, b in SHARED_RANGES)
            or 'LATIN' in unicodedata.name(ch, ''))


def _varint(n):
    out = b''
    while n > 0x7F:
        out, n = out + bytes([n & 0x7F | 0x80]), n >> 7
    return out + bytes([n])


def _write_checked(out_path, data, base, english, field):
    """The extended tokenizer `data`, written to out_path once the first 2001 documents of `english`
    are shown to keep their base ids (the guard's proof)."""
    with atomic_path(out_path) as tmp:
        Path(tmp).write_bytes(data)
        ext = Tokenizer(tmp)
        for i, doc in enumerate(iter_documents(english, field) if english else ()):
            if ext.encode(doc, False, False) != base.encode(doc, False, False):
                raise InputError(f"{english}: document {i + 1} tokenizes differently after the extension; "
                                 "English ids would change (report this: the guard should prevent it)")
            if i == 2000:
                break
    return Tokenizer(out_path)


def extend_tokenizer(base_path, texts, out_path, vocab_size=20000, english=None, field='text'):
    """Chinese-LLaMA's merge_tokenizers recipe without protobuf: train a SentencePiece BPE on each
    language's text and append the pieces the base lacks as raw serialized `pieces` entries (ModelProto
    field 1 is repeated: an entry appended to the message is one more piece, with the next id). Every
    base id and score stays as it was. A tiktoken (Llama 3) base is extended by extend_tiktoken instead.

    English ids cannot change: a new piece is kept only if it holds a character English text never
    uses (_shared; the characters of `english` count as English too). SentencePiece only considers a
    piece whose string occurs in the text, so text of English characters meets exactly the merges it
    met before. This excludes Latin-script pieces (an 'ETI' learned from Hindi news): a Latin-script
    target language gains little.

    Scores: SentencePiece BPE applies the highest-scoring merge first. Chinese-LLaMA gives every new
    piece 0, above every LLaMA piece (-rank) and all tied, which loses the order the new model learned
    them in. We rank them below the lowest base score, in that order: the base tokenizer runs to
    completion first and every new token covers whole base tokens (a byte-fallback character counting
    as one), exactly the pieces model.resize_vocab averages. On FLORES (4000-piece models, 212 held-out
    lines) this compresses as well as ranking them above, and within 1% of score 0 (Hindi: 8318
    tokens, 8410 with 0; Chinese: 7213, 7209 with 0)."""
    base = Tokenizer(base_path)
    if base.kind == 'tiktoken':  # Llama 3: new byte-level BPE merges instead
        return extend_tiktoken(base, texts, out_path, vocab_size, english, field)
    vocab = {base.sp.id_to_piece(i) for i in range(base.n_words)}
    protect = set(chain.from_iterable(iter_documents(english, field))) if english else set()
    new, added = [], {}
    for lang, paths in texts.items():
        sp = spm.SentencePieceProcessor(model_proto=train_sentencepiece(
            iter_documents(paths, field), vocab_size, False, 0.9995, paths))
        normal = [sp.id_to_piece(i) for i in range(sp.vocab_size())
                  if not (sp.is_control(i) or sp.is_unknown(i) or sp.is_unused(i) or sp.is_byte(i))]
        wanted = [p for p in normal if p not in vocab and not all(_shared(c, protect) for c in p)]
        vocab.update(p for p in wanted if len(p) == 1)
        before = len(new)
        for p in wanted:  # a merge is kept if it can be built from two pieces that exist
            if len(p) == 1 or any(p[:k] in vocab and p[k:] in vocab for k in range(1, len(p))):
                new.append(p)
                vocab.add(p)
        added[lang] = len(new) - before
    low = min(base.sp.get_score(i) for i in range(base.n_words))  # LLaMA 2: -1e9 ('▁▁' and kin)
    step = max(1.0, float(np.spacing(np.float32(4 * abs(low)))))  # so that float32 keeps them distinct
    scores = (low - step * np.arange(1, len(new) + 1)).astype(np.float32)
    assert np.all(np.diff(scores) < 0)
    data = bytearray(base.path.read_bytes())
    for piece, score in zip(new, scores):
        b = piece.encode()
        entry = b'\x0a' + _varint(len(b)) + b + b'\x15' + struct.pack('<f', score)  # piece = 1, score = 2
        data += b'\x0a' + _varint(len(entry)) + entry
    ext = _write_checked(out_path, bytes(data), base, english, field)
    print(f"extended {base_path} ({base.n_words:,} pieces) by {len(new):,} "
          f"({', '.join(f'{k}: {v:,}' for k, v in added.items())}) -> {out_path} ({ext.n_words:,} pieces)")
    return ext


def _english_free(token, protect, cache):
    """True if `token` (bytes) can never occur in UTF-8 text written in English characters (_shared,
    `protect` included): it holds the start of a character - a lead byte and whatever follows of it -
    that no English character begins with. UTF-8 is self-synchronising: wherever the token occurs in
    valid text, that lead byte starts a character of this range. So English text never contains the
    token, and no merge can form it there. `cache`: {code point range: answer}."""
    for i, b in enumerate(token):
        n = _utf8_length(b)
        tail = token[i + 1:i + n]
        if not 0xC2 <= b <= 0xF4 or not all(0x80 <= c < 0xC0 for c in tail):
            continue  # ASCII, a continuation byte (part of a character begun before the token), or invalid
        lo = hi = b & (0x7F >> n)  # the code points whose UTF-8 begins with these bytes
        for k in range(n - 1):
            lo = lo << 6 | (tail[k] & 0x3F if k < len(tail) else 0)
            hi = hi << 6 | (tail[k] & 0x3F if k < len(tail) else 0x3F)
        lo, hi = max(lo, (0x80, 0x800, 0x10000)[n - 2]), min(hi, 0x10FFFF)  # no overlong forms
        if (lo, hi) not in cache:
            cache[lo, hi] = not any(_shared(chr(o), protect) for o in range(lo, hi + 1))
        if cache[lo, hi]:
            return True
    return False


def learn_merges(ranks, words, n, keep):
    """Byte-level BPE continued from `ranks` ({bytes: rank}, byte-level: every single byte is a token).
    Each distinct word of `words` ({bytes tokens: count}) starts from its tokenization under `ranks`;
    up to n times, the most frequent adjacent pair that `keep` accepts becomes a token ranked after
    all before it. Pairs are counted by the bytes they join, because tiktoken merges by bytes (any
    two neighbours that make a token's bytes merge at its rank); ties go to the smaller bytes. A
    merge re-runs BPE (model.bpe) on the words that hold the pair, and only their pair counts change:
    the corpus is counted once. A pair seen once is not learned (our choice: it is noise). Returns
    the new tokens (bytes), in rank order."""
    vocab, first = dict(ranks), max(ranks.values()) + 1
    seqs, freq = list(words), list(words.values())
    stats, where, touched, kept = Counter(), defaultdict(set), set(), {}

    def count(w, seq, sign):
        for a, b in zip(seq, seq[1:]):
            stats[a + b] += sign * freq[w]
            touched.add(a + b)
            if sign > 0:
                where[a + b].add(w)  # left in place when the pair goes: checked when used

    def push(pairs):
        for p in pairs:
            if stats[p] > 1 and kept.get(p, True):
                heapq.heappush(heap, (-stats[p], p))

    for w in range(len(seqs)):
        count(w, seqs[w], +1)
    heap, new = [(-c, p) for p, c in stats.items() if c > 1], []
    heapq.heapify(heap)
    while len(new) < n and heap:
        c, p = heapq.heappop(heap)
        if -c != stats[p]:
            continue  # a stale entry: the count has changed since it was pushed
        if p not in kept:  # asked only of the pairs that reach the top
            kept[p] = keep(p)
        if not kept[p]:
            continue
        vocab[p] = first + len(new)
        new.append(p)
        touched = set()
        for w in where.pop(p):
            seq = seqs[w]
            out = seqs[w] = tuple(bpe(vocab, seq))  # p, then whatever p's neighbours now make
            if len(out) == len(seq):
                continue  # p had gone from this word
            i = j = 0  # only the pairs between the first and the last token that changed change
            while seq[i] is out[i]:
                i += 1
            while j < len(out) - i and seq[-1 - j] is out[-1 - j]:
                j += 1
            count(w, seq[max(i - 1, 0):len(seq) - j + 1], -1)
            count(w, out[max(i - 1, 0):len(out) - j + 1], +1)
        push(touched)
    return new


def extend_tiktoken(base, texts, out_path, n_new=20000, english=None, field='text'):
    """A Llama 3 (tiktoken) vocabulary extended by n_new byte-level BPE merges learned on the target
    text, continuing from Meta's ranks (Chinese-LLaMA's recipe carried over to byte-level BPE): the text
    is pre-split with Llama 3's regex, each distinct word starts from its Llama 3 tokens, and the most
    frequent adjacent pairs become tokens ranked after every existing one, so Llama 3's merges keep
    their priority and a new token only joins tokens Llama 3 produced, which BPE can then reach.

    Ids: Meta's 128000 lines stay as they are and new tokens take ranks 128256 and up, leaving
    128000-128255 to the specials, the gap model.Tokenizer fills with them (Meta's loader numbers
    specials after the last line: see the README). English ids cannot change: a new token is kept only
    if _english_free, so it never forms in English text; checked on `english`."""
    if not all(bytes([b]) in base.ranks for b in range(256)):
        raise InputError(f"{base.path}: a tiktoken file without all 256 single bytes is not a byte-level BPE like "
                         "Llama 3's; give Meta's Llama 3 tokenizer.model or a SentencePiece one")
    split, words = regex.compile(LLAMA3_PATTERN), Counter()
    for lang, paths in texts.items():
        before = words.total()
        for doc in iter_documents(paths, field):
            words.update(split.findall(doc))
        if words.total() == before:
            raise InputError(f"{paths}: no {lang!r} text to learn new tokens from (empty); give text in extend")
    byte_of = {r: b for b, r in base.ranks.items()}
    # tiktoken's batch encoder pre-splits again: a piece of the regex comes back whole (were it cut, its tokens
    # would still spell it, and only the counts would be a little off)
    start = {tuple(byte_of[i] for i in ids): c for ids, c in
             zip(base.model.encode_ordinary_batch(list(words), num_threads=os.cpu_count()), words.values())}
    protect, cache = set(chain.from_iterable(iter_documents(english, field))) if english else set(), {}
    new = learn_merges(base.ranks, start, n_new, lambda t: _english_free(t, protect, cache))
    if not new:
        why = ("every pair it repeats could also occur in English text (bytes of Latin-script or shared characters), "
               "so merging it would change English ids" if learn_merges(base.ranks, start, 1, lambda t: True)
               else "no pair of tokens occurs twice")
        raise InputError(f"{', '.join(map(str, texts.values()))}: no token to add: {why}")
    data = tiktoken_file_bytes(base.ranks)  # Meta's file as it is, also when the base is a tokenizer.json
    data += ''.join(f"{b64encode(t).decode()} {base.n_words + k}\n" for k, t in enumerate(new)).encode()
    ext = _write_checked(out_path, data, base, english, field)
    assert ext.n_words == base.n_words + len(new) and ext.special == base.special
    print(f"extended {base.path} ({base.n_words:,} tokens) by {len(new):,} byte-level BPE merges learned on "
          f"{', '.join(texts)} -> {out_path} ({ext.n_words:,} tokens: new ids {base.n_words:,} and up)")
    return ext


# -----------------------------------------------------------------------------------------------
# Over-tokenization report (How Multilingual, Tables 5 and 13, App. F)
# Scripts written without spaces between words: the report counts tokens per character for these
# (ISO 639-1, and the 639-3 prefix of FLORES codes such as zho_Hans).
NO_SPACE_LANGUAGES = {'zh', 'ja', 'th', 'lo', 'km', 'my', 'bo', 'zho', 'jpn', 'tha', 'lao', 'khm', 'mya', 'bod', 'yue'}


def tokenization_report(tok, texts, title='', show=True):
    """Per language (texts: {lang: path or list of lines}): How Multilingual's ratio, tokens per word, or per
    character for scripts without spaces (Tables 5 and 13 captions), and for those also tokens per
    whitespace-separated unit, the unit HML's own figures for them are the size of (README: fidelity); the share
    of tokens that are bytes rather than text (SentencePiece's <0x..> fallback pieces; tiktoken tokens that are
    not whole UTF-8); and the share of characters (whitespace aside) spread over several tokens. Characters are
    code points, marks included. Prints a table (show); returns {lang: {...}}."""
    tok = tok if isinstance(tok, Tokenizer) else Tokenizer(tok)
    # an ASCII character's byte fallback is whole UTF-8, but a byte token (token_bytes says b'A' for <0x41> and 'A')
    fallback = {i for i in range(tok.n_words) if tok.kind == 'sentencepiece' and tok.sp.is_byte(i)}
    rows = {}
    for lang, text in texts.items():
        unit = 'char' if lang.split('_')[0] in NO_SPACE_LANGUAGES else 'word'
        n_tok = n_words = n_chars = n_byte = n_split = 0  # n_words: whitespace-separated units
        for line in iter_documents(text) if isinstance(text, (str, Path)) else filter(str.strip, text):
            ids = tok.encode(line, bos=False, eos=False)
            n_tok += len(ids)
            n_chars += sum(not c.isspace() for c in line)
            n_words += len(line.split())
            run, cuts = b'', set()  # consecutive byte tokens, and where each ends in them
            for i in ids + [None]:
                piece = b'' if i is None else tok.token_bytes(i)
                if i in fallback or piece.decode(errors='ignore').encode() != piece:  # not whole UTF-8
                    n_byte += 1
                    run += piece
                    cuts.add(len(run))
                    continue
                pos = 0  # a run spells whole characters: those a token ends inside are split
                for c in run.decode(errors='replace'):
                    n = len(c.encode())
                    n_split += n > 1 and not c.isspace() and any(pos + k in cuts for k in range(1, n))
                    pos += n
                run, cuts = b'', set()
        if not n_words:
            raise InputError(f"{text if isinstance(text, (str, Path)) else lang}: no text to report on")
        n_units = n_chars if unit == 'char' else n_words
        rows[lang] = {'unit': unit, 'tokens': n_tok, 'units': n_units, 'tokens_per_unit': n_tok / n_units,
                      'chars': n_chars, 'whitespace_units': n_words, 'tokens_per_whitespace_unit': n_tok / n_words,
                      'byte_token_share': n_byte / max(n_tok, 1), 'split_char_share': n_split / max(n_chars, 1)}
    if not show:
        return rows
    print(f"\n{title or tok.path}: {tok.n_words:,} tokens")
    print(f"{'lang':<10}{'tokens/unit':>16}{'per spaced unit':>17}{'byte tokens':>13}{'split chars':>13}")
    for lang, r in rows.items():
        spaced = f"{r['tokens_per_whitespace_unit']:.2f}" if r['unit'] == 'char' else '-'  # a word is that unit
        print(f"{lang:<10}{r['tokens_per_unit']:>11.2f}/{r['unit']:<4}{spaced:>17}"
              f"{r['byte_token_share']:>13.1%}{r['split_char_share']:>13.1%}")
    return rows


# -----------------------------------------------------------------------------------------------
# The stage


def prepare(cfg, tokenizer, base=None):
    """Write every shard and meta.json into cfg.out_dir, atomically (all or nothing)."""
    tok = Tokenizer(tokenizer)
    dtype = token_dtype(tok.n_words)
    lead_ids = {lang: shortening_id(tok, lead) for lang, lead in cfg.shorten.items()}
    for paths in [*cfg.pretrain.values(), *filter(None, cfg.pretrain_val.values())]:
        list_files(paths)  # a wrong path fails now, not after an hour of encoding
    shards, mixtures = {}, {}
    with atomic_path(cfg.out_dir) as out:
        out.mkdir()
        for name in cfg.sft:  # first: quick, and a bad record shows at once
            got, mixtures[name] = write_mixture(out, name, cfg, tok, lead_ids)
            shards.update(got)
        for lang in cfg.pretrain:
            shards.update(write_language(out, lang, cfg, tok, lead_ids))
        if not shards:
            raise InputError("nothing to write: set pretrain and/or sft (python tokenize_prep.py --help)")
        languages = set(cfg.pretrain) | {c for m in mixtures.values() for s in m.values() for c in s['lang'].split('-')}
        meta = {'format_version': VERSION, 'tokenizer': str(Path(tokenizer).resolve()), 'tokenizer_sha256': tok.sha256,
                'tokenizer_digest': tok.digest,
                'tokenizer_kind': tok.kind, 'vocab_size': tok.n_words, 'bos_id': tok.bos_id, 'eos_id': tok.eos_id,
                'dtype': dtype.name, 'template': cfg.template, 'pretrain_eos': cfg.pretrain_eos,
                'languages': sorted(languages), 'shortening': dict(cfg.shorten), 'seed': cfg.seed,
                'val_fraction': cfg.val_fraction, 'pretrain_budget': dict(cfg.pretrain_budget),
                'sft_budget': dict(cfg.sft_budget), 'mixtures': {k: v for k, v in mixtures.items() if v},
                'shards': shards, **({'base_tokenizer': base} if base else {})}
        (out / 'meta.json').write_text(json.dumps(meta, indent=1, ensure_ascii=False) + '\n')
    print(f"\n{cfg.out_dir}: {len(shards)} shards ({dtype.name}) by {tokenizer}")
    for name, s in shards.items():
        print(f"  {name:<24}{s['tokens']:>14,} tokens{s['documents']:>11,} documents")
    return meta


def check_settings(cfg):
    """Every setting checked before any work: one line for the first that is wrong."""
    defaults = globals()
    if not (isinstance(cfg.workers, int) and cfg.workers >= 0):
        raise InputError(f"workers={cfg.workers!r}: a count of processes, or 0 for one per core")
    if not 0 <= cfg.val_fraction < 1:
        raise InputError(f"val_fraction={cfg.val_fraction!r}: a share between 0 and 1 (0.01 holds out 1%)")
    for name in ('tokenizer_vocab_size', 'extend_vocab_size'):
        if getattr(cfg, name) < 1:
            raise InputError(f"{name}={getattr(cfg, name)!r}: a number of pieces, at least 1")
    for name in ('pretrain_budget', 'sft_budget'):
        for key, n in getattr(cfg, name).items():
            if not (isinstance(n, int) and not isinstance(n, bool) and n >= 0):
                raise InputError(f"{name}[{key!r}]={n!r}: a whole number of tokens/examples, 0 or more")
    check_names(cfg)
    # Defaults are the demo's. Once the data is the user's own, a default still pointing at demo
    # files would quietly mix the demo into a real run: refused (and named when the data is mixed).
    data = [p for name in ('pretrain', 'sft', 'extend') if getattr(cfg, name) != defaults[name]
            for p in _paths(getattr(cfg, name))]
    own = [p for p in data if not p.startswith(('data/demo/', 'out/demo/'))]
    used = ['pretrain', 'pretrain_val', 'report']  # the settings this run reads whose defaults are demo files
    used += [] if Path(cfg.tokenizer_path).exists() else ['tokenizer_train']
    used += ['english_text', 'extend_out'] if cfg.extend else []
    demo = [name for name in used if getattr(cfg, name) and getattr(cfg, name) == defaults[name]]
    for name in demo if own else []:
        if len(own) == len(data):
            raise InputError(f"{name}: still the demo's {defaults[name]!r}, but your data is your own ({own[0]}); "
                             f"set {name} for it (empty for none)")
        print(f"note: {name}: using the demo's {defaults[name]!r} beside your {own[0]}")
    check_out_dir(cfg)
    check_apart(cfg.out_dir, 'out_dir', inputs(cfg))  # replaced whole: it may hold no input
    if cfg.extend:
        check_apart(cfg.extend_out, 'extend_out', {'tokenizer_path': cfg.tokenizer_path})


def inputs(cfg):
    """{setting: [paths]} of every file the run reads, and the extended tokenizer it writes before out_dir."""
    def listed(v):
        return [p for p in ([v] if isinstance(v, str) else v or []) if p]
    out = {name: listed(getattr(cfg, name)) for name in ('tokenizer_path', 'tokenizer_train', 'english_text')}
    out.update({name: [p for v in getattr(cfg, name).values() for p in listed(v)]
                for name in ('pretrain', 'pretrain_val', 'extend', 'report')})
    out['sft'] = [p for m in cfg.sft.values() for spec in m.values() for p in listed(spec['path'])]
    out['extend_out'] = listed(cfg.extend_out) if cfg.extend else []
    return out


SOURCE_KEYS = ('path', 'lang', 'direction', 'optional')  # an sft source (read_source)


def check_names(cfg):
    """The shape of sft, and every key that must name something: a misspelled name would silently change
    nothing (a budget, a held-out file or a shortening left unused), so it is one line listing the names."""
    for name, sources in cfg.sft.items():
        if not (isinstance(sources, dict) and sources):
            raise InputError(f"sft[{name!r}]: a dict of sources, {{source name: {{'path': ..., 'lang': ...}}}}, "
                             f"not {sources!r}")
        for src, spec in sources.items():
            if not (isinstance(spec, dict) and {'path', 'lang'} <= set(spec) <= set(SOURCE_KEYS)
                    and isinstance(spec['lang'], str)):
                raise InputError(f"sft[{name!r}][{src!r}]: a dict with 'path' and 'lang' (and 'direction', "
                                 f"'optional'), not {spec!r}")
    sources = [src for sources in cfg.sft.values() for src in sources]
    languages = set(cfg.pretrain) | {c for m in cfg.sft.values() for s in m.values() for c in s['lang'].split('-')}
    for setting, valid, what in (('pretrain_val', cfg.pretrain, 'pretrain language'),
                                 ('pretrain_budget', cfg.pretrain, 'pretrain language'),
                                 ('sft_budget', sources, 'sft source'), ('shorten', languages, 'language of the data')):
        given = getattr(cfg, setting)  # a default (the demo's) may name languages the data leaves out
        unknown = [k for k in given if k not in valid] if given != globals()[setting] else []
        if unknown:
            raise InputError(f"{setting}: {unknown[0]!r} is no {what}; the names are: "
                             f"{', '.join(map(repr, sorted(valid))) or 'none'}")


def _paths(value):
    """The file names in a setting: its strings with a '/', in dicts and lists at any depth."""
    if isinstance(value, (dict, list, tuple)):
        return [p for v in (value.values() if isinstance(value, dict) else value) for p in _paths(v)]
    return [value] if isinstance(value, str) and '/' in value else []


def check_out_dir(cfg):
    """out_dir is replaced as a whole, so it may hold only what this script wrote there: meta.json and the
    shards it lists. Anything else (your notes, the corpus itself) is refused by name, never deleted."""
    out = Path(cfg.out_dir)
    if os.path.lexists(out) and not out.is_dir():
        raise InputError(f"out_dir={cfg.out_dir}: a file, not a folder; name a folder for the shards")
    if not out.is_dir() or not any(out.iterdir()):
        return
    try:
        ours = {'meta.json', *read_meta(out, needs=('format_version', 'shards'))['shards']}
    except (InputError, TypeError):
        ours = set()
    others = sorted(p.name for p in out.iterdir() if p.name not in ours)
    if others:
        raise InputError(f"out_dir={cfg.out_dir}: holds {', '.join(others[:3])}{', ...' if len(others) > 3 else ''}, "
                         "which tokenize_prep.py did not write, and the folder is replaced as a whole; move them out, "
                         "or name a new or empty folder")


def main(cfg):
    check_settings(cfg)
    with lock(cfg.out_dir):  # for the whole run: a second run on out_dir is refused
        path = Path(cfg.tokenizer_path)
        path = find_tokenizer('', path) if path.exists() else path  # a folder: its tokenizer.model or tokenizer.json
        for paths in cfg.report.values():
            list_files(paths)
        if not path.exists():
            if not cfg.tokenizer_train:
                raise InputError(f"{path}: tokenizer not found; give Meta's tokenizer.model as tokenizer_path")
            print(f"{path} does not exist: training one (set tokenizer_train='' to refuse)")
            train_tokenizer(cfg.tokenizer_train, path, cfg.tokenizer_vocab_size, cfg.text_field)
        tokenizer, base = path, None
        if cfg.extend:
            ext = extend_tokenizer(path, cfg.extend, cfg.extend_out, cfg.extend_vocab_size, cfg.english_text or None,
                                   cfg.text_field)
            base_tok = Tokenizer(path)
            base, tokenizer = {'path': str(path), 'sha256': base_tok.sha256, 'digest': base_tok.digest}, ext.path
        prepare(cfg, tokenizer, base)
        if cfg.report:
            if base:
                tokenization_report(path, cfg.report, f"base {path}")
            tokenization_report(tokenizer, cfg.report)


if __name__ == '__main__':
    cfg = ReadOnly(**vars(configure(globals())))
    on_interrupt(lambda sig: f"interrupted by {sig}: {cfg.out_dir} is as it was (it is replaced only when complete); "
                 "run the same command again")
    main(cfg)
