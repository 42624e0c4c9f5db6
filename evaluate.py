"""Every measurement the four papers report, each computed as its reference scorer computes it.

    python evaluate.py            # the demo: every demo checkpoint measured, one table
    python evaluate.py --ckpt_dirs="['out/zh/sft']" --tasks="['qa']" --qa_files="{'zh': 'xquad.zh.json'}"
    python evaluate.py --compare="['out/demo/eval/base.json', 'out/demo/eval/sft.json']"

Tasks (the `tasks` setting):
  ppl        NLL per token, perplexity and bits per byte per language (LLaMA Beyond English, Table 2)
  qa         extractive QA on SQuAD-format JSON (XQuAD, MLQA, IndicQA): EM, F1, x-LLaMA's match
  mt         translation on FLORES files: BLEU, chrF and spBLEU by sacrebleu
  mc         multiple choice (MMLU / C-Eval CSV k-shot; AGI-Eval, GAOKAO-Bench zero-shot): log-likelihood accuracy
  chat       responses to held-out instructions, and their code-switching rate (LLaMA Beyond English, Fig. 4)
  judge      LLM-as-judge: LLM-Eval's five 0-3 scores or x-LLaMA's pairwise prompt on the chat responses,
             x-LLaMA's YES/NO on the QA answers
  align      cosine similarity of parallel sentences, layer by layer (x-LLaMA, Fig. 5)
  quadrants  How Multilingual's quadrants (Eq. 1) from earlier runs' mt result files (no model)
  scaling    x-LLaMA's scaling-law fit and budgeted data allocation (no model)
Each checkpoint gets one result file, {out_dir}/{checkpoint name}.json, written only once every task
has finished, so a failed run never replaces an earlier result.
"""

import csv
import json
import math
import operator
import os
import re
import string
import sys
import time
import unicodedata
import urllib.error
import urllib.request
from collections import Counter
from functools import cache
from pathlib import Path

import numpy as np
import regex
import sacrebleu
import torch
import torch.nn.functional as F
from tqdm import tqdm

import model as M
import plumbing as P
import tokenize_prep
from plumbing import InputError, atomic_path

# -----------------------------------------------------------------------------------------------
# Settings: `python evaluate.py --help` lists them; a config file or --name=value overrides them

tasks = ['ppl', 'qa', 'mt']  # any of: ppl qa mt mc chat judge align quadrants scaling
ckpt_dirs = [f'out/demo/{run}/latest' for run in ('sft_en', 'sft_coit', 'sft_naive', 'sft_commit', 'sft_small',
                                                  'hml_embed', 'hml_full')]  # the demo's tuned models: a result each
tokenizer_path = ''  # '' = tokenizer.model in the checkpoint directory or its parent
device = 'cpu'  # 'cuda' on a GPU
dtype = 'float32'  # 'bfloat16' halves memory on a GPU
max_seq_len = 512  # prompt + answer, or a perplexity window (the demo's models train on 256-512)
batch_size = 8  # sequences per forward pass; prompts are sorted by length into batches
max_examples = 0  # per dataset (documents, questions, sentences, per-subject items); 0 = all
out_dir = 'out/demo/eval'  # result files go here
template = ''  # prompt template (model.PROMPT_TEMPLATES); '' = the checkpoint's run.json, else 'alpaca'
table_rows = []  # rows of the printed table, e.g. ['qa/hi/f1']; [] = everything measured
compare = []  # result files to print side by side; when set, nothing is evaluated
effects = []  # paper effects, a line each after the table: {'name': ..., 'test': 'run:metric > run:metric'}
# perplexity
ppl_files = {'en': 'data/demo/en.val.txt', 'hi': 'data/demo/hi.val.txt', 'zh': 'data/demo/zh.val.txt'}  # a doc a line
ppl_window = 256  # tokens per window (at most the trained context); 0 = max_seq_len
ppl_stride = 0  # newly scored tokens per window after the first; 0 = window // 2
# extractive QA
qa_files = {'en': 'data/demo/qa/en.json', 'hi': 'data/demo/qa/hi.json'}  # SQuAD v1.1 JSON
qa_prompt = 'native'  # native/english (x-LLaMA's), alpaca, commit/commit-en (COMMIT's): see qa_prompt_text
qa_norm = 'mlqa'  # answer normalisation for EM/F1: 'mlqa' (MLQA's script) or 'squad' (SQuAD v1.1's)
qa_max_new_tokens = 16  # answers are spans: a few words (x-LLaMA generates up to 512; COMMIT's harness 256)
# translation
flores_dir = 'data/demo/flores'  # {code}.devtest files, line-aligned
mt_pairs = ['eng_Latn-hin_Deva', 'eng_Latn-zho_Hans']  # SOURCE-TARGET FLORES codes
mt_beam = 1  # 1 = greedy; How Multilingual uses 4
mt_max_new_tokens = 48  # How Multilingual's: 256
spm_path = ''  # the FLORES SentencePiece model (sacrebleu's flores101/flores200 .model file): adds spBLEU
# multiple choice
mc_dir = ''  # MMLU/C-Eval: dev/ and {mc_split}/ CSV; AGI-Eval: its data/v1; GAOKAO: Data/Objective_Questions
mc_format = 'mmlu'  # 'mmlu', 'ceval' (k-shot CSV), or 'agieval', 'gaokao' (zero-shot, their own files)
mc_split = 'test'  # C-Eval hides its test answers: use 'val' there
mc_shots = 5
# responses to instructions, and code-switching
chat_files = {}  # held-out Alpaca-format JSON ({instruction, input, output} list) by language
chat_max_new_tokens = 256
cs_min_run = 1  # foreign-script characters in a row that make code-switching (1: any word, ours; 4 skips 'GPU')
cs_scripts = {}  # language -> its Unicode scripts ('Han', 'Devanagari'...) where tokenize_prep.LANGUAGES lacks it
# LLM-as-judge, through any OpenAI-compatible endpoint
judge_url = ''  # e.g. https://api.openai.com/v1 (POST {judge_url}/chat/completions)
judge_model = ''  # '' = the paper's for judge_mode (JUDGE_DEFAULTS)
judge_key_env = 'OPENAI_API_KEY'  # the environment variable holding the API key; '' = send none
judge_mode = 'llm-eval'  # llm-eval (LLaMA Beyond English), pairwise or xllama-qa (x-LLaMA): see eval_judge
judge_against = ''  # pairwise: an earlier result file whose chat responses are assistant 2
judge_samples = 0  # completions per request, averaged; 0 = the judge_mode's (JUDGE_DEFAULTS)
judge_temperature = -1.0  # -1 = the judge_mode's (JUDGE_DEFAULTS)
judge_timeout = 60.0  # seconds per request
judge_retries = 2  # extra attempts after HTTP 429/5xx or a dropped connection
# alignment by layer
align_pairs = ['eng_Latn-hin_Deva', 'eng_Latn-zho_Hans']  # FLORES codes in flores_dir
align_max = 200  # sentence pairs per language pair
# quadrants (How Multilingual sec. 3.2), from the mt results in {out_dir}/{run}.json of earlier runs
quadrant_before = ''  # the vanilla model's run name: P_pre of every language, and T
quadrant_runs = {}  # language -> [the run tuned on it, its pair], e.g. {'km': ['km_full', 'eng_Latn-khm_Khmr']}
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # the multilingual score: their mean (sec. 3.2)
quadrant_metric = 'spbleu'  # How Multilingual's metric (sec. 3.1); its runs need spm_path
quadrant_threshold = 0.0  # T of Eq. 1; 0 = the vanilla run's mean quadrant_metric over quadrant_threshold_pairs
quadrant_threshold_pairs = []  # the pairs T averages (App. D: Flores-101's every en->x); [] = all the vanilla run has
# scaling law and allocation
scaling_points = ''  # JSON {source: {"points": [[examples, score], ...], "g": 1.0, "max": examples}}
scaling_budget = 0  # C: examples to share out among the sources (named as in tokenize_prep's sft)

MODEL_TASKS = ('ppl', 'qa', 'mt', 'mc', 'chat', 'judge', 'align')
ALL_TASKS = MODEL_TASKS + ('quadrants', 'scaling')


def check_settings(cfg):
    """The numeric settings, before any checkpoint is read: one line for the first that is wrong."""
    for name in ('batch_size', 'max_seq_len', 'mt_beam', 'qa_max_new_tokens', 'mt_max_new_tokens',
                 'chat_max_new_tokens', 'align_max'):
        if getattr(cfg, name) < 1:
            raise InputError(f"{name}={getattr(cfg, name)!r}: must be 1 or more")
    for name in ('max_examples', 'ppl_window', 'ppl_stride', 'mc_shots', 'judge_samples', 'judge_retries',
                 'scaling_budget'):
        if getattr(cfg, name) < 0:
            raise InputError(f"{name}={getattr(cfg, name)!r}: must be 0 or more (0: all examples, the paper's samples)")
    if not (cfg.judge_temperature == -1 or 0 <= cfg.judge_temperature <= 2):
        raise InputError(f"judge_temperature={cfg.judge_temperature!r}: between 0 and 2, or -1 for the paper's")
    P.check_system(cfg.device, cfg.dtype)
    if cfg.compare:
        return
    unknown = set(cfg.tasks) - set(ALL_TASKS)
    if unknown:
        raise InputError(f"tasks: unknown {', '.join(sorted(unknown))}; choose from {' '.join(ALL_TASKS)}")
    P.check_writable(cfg.out_dir, 'out_dir')
    check_task_settings(cfg, set(cfg.tasks))


def check_task_settings(cfg, tasks):
    """What each task reads, checked before the first model is loaded (hours may pass before a task's turn):
    its settings, and that the files they name are there."""
    def need_files(name, paths):  # {key: path} of a dict setting, or one path
        for key, path in paths.items() if isinstance(paths, dict) else [(None, paths)]:
            if not isinstance(path, str) or not Path(path).is_file():
                raise InputError(f"{name}{'' if key is None else f'[{key!r}]'}={path!r}: not a file; name one file")
    judge_reads = ('qa' if cfg.judge_mode == 'xllama-qa' else 'chat') if 'judge' in tasks else None
    if 'ppl' in tasks:
        need_files('ppl_files', cfg.ppl_files)
    if 'qa' in tasks or judge_reads == 'qa':
        if cfg.qa_prompt not in QA_PROMPTS or cfg.qa_norm not in ('mlqa', 'squad'):
            raise InputError(f"qa_prompt must be one of {', '.join(QA_PROMPTS)}, qa_norm 'mlqa' or 'squad' "
                             f"(got {cfg.qa_prompt!r}, {cfg.qa_norm!r})")
        need_files('qa_files', cfg.qa_files)
    if 'mt' in tasks or 'align' in tasks:
        for pair in (cfg.mt_pairs if 'mt' in tasks else []) + (cfg.align_pairs if 'align' in tasks else []):
            src, sep, tgt = pair.partition('-')
            if not sep:
                raise InputError(f"language pair {pair!r}: write SOURCE-TARGET with FLORES codes, e.g. "
                                 "eng_Latn-hin_Deva")
            need_files('flores_dir', {code: str(Path(cfg.flores_dir) / f'{code}.devtest') for code in (src, tgt)})
        if cfg.spm_path:
            need_files('spm_path', cfg.spm_path)
    if 'mc' in tasks and cfg.mc_format not in ('mmlu', 'ceval', 'agieval', 'gaokao'):
        raise InputError(f"mc_format must be 'mmlu', 'ceval', 'agieval' or 'gaokao', not {cfg.mc_format!r}")
    if 'judge' in tasks:
        if not cfg.judge_url:
            raise InputError("judge: set judge_url to an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1")
        if cfg.judge_mode not in JUDGE_DEFAULTS:
            raise InputError(f"judge_mode must be one of {', '.join(JUDGE_DEFAULTS)}, not {cfg.judge_mode!r}")
        if cfg.judge_mode == 'pairwise':
            if not cfg.judge_against:
                raise InputError("judge_mode='pairwise' needs judge_against: an earlier result file with chat "
                                 "responses")
            need_files('judge_against', cfg.judge_against)
        if cfg.judge_key_env and not os.environ.get(cfg.judge_key_env):
            raise InputError(f"judge: the environment variable {cfg.judge_key_env} holding the API key is not "
                             "set (set judge_key_env='' for an endpoint that needs none)")
    if 'chat' in tasks or judge_reads == 'chat':
        if not cfg.chat_files:
            raise InputError("chat: set chat_files = {lang: held-out Alpaca records (JSON list or JSONL)}")
        need_files('chat_files', cfg.chat_files)
    if 'scaling' in tasks:
        if not cfg.scaling_points:
            raise InputError(f"scaling: set scaling_points to a JSON file {SCALING_LAYOUT}")
        need_files('scaling_points', cfg.scaling_points)


# -----------------------------------------------------------------------------------------------
# Reading inputs; the model: loading it, scoring token sequences, batched generation


def read_json(path, what):
    try:
        return json.loads(P.read_text(path, what))
    except json.JSONDecodeError as e:
        raise InputError(f"{path} line {e.lineno}: not valid JSON ({e.msg}); fix the {what}")


def read_result(path, what):
    """A result file evaluate.py wrote: a JSON object."""
    result = read_json(path, what)
    if not isinstance(result, dict):
        raise InputError(f"{path}: not a result file of evaluate.py (a JSON object); name one it wrote")
    return result


def read_lines(path, what):
    """Lines without their end-of-line characters (a final newline adds no empty line)."""
    text = P.read_text(path, what)
    return [line.rstrip('\r') for line in text.removesuffix('\n').split('\n')] if text else []


def limited(items, cfg):
    return items[:cfg.max_examples] if cfg.max_examples > 0 else items


def load_checkpoint(ckpt_dir, cfg):
    """(model, tokenizer, what pretrain.py/sft.py recorded in run.json: template, data shortening)."""
    if M.checkpoint_layout(ckpt_dir) is None:
        raise InputError(f"{ckpt_dir}: no checkpoint here (no params.json or config.json); train one first "
                         "(the demo's is written by pretrain.py) or point ckpt_dirs at a Meta or Hugging Face "
                         "checkpoint")
    model, tok = M.load(ckpt_dir, cfg.tokenizer_path, cfg.device, getattr(torch, cfg.dtype), cfg.max_seq_len)
    run = Path(ckpt_dir) / 'run.json'
    run = read_json(run, 'run.json (pretrain.py writes it)') if run.exists() else {}
    leads = set((run.get('data') or {}).get('shortening', {}).values())
    if len(leads) > 1:
        raise InputError(f"{ckpt_dir}/run.json: shortened with several lead bytes; evaluate.py undoes one")
    data = run.get('data') or {}
    if 'tokenizer_sha256' in data and not tokenize_prep.same_tokenizer(tok, data):
        raise InputError(f"{tok.path}: not the tokenizer {ckpt_dir} was trained with (its run.json records another); "
                         "leave tokenizer_path='' for the checkpoint's own, or name that one")
    if leads:
        tok = tokenize_prep.shortened(tok, leads.pop())
    tok.template = run.get('template')  # what sft.py tuned with; a Hugging Face tokenizer carries its chat template
    return model.eval(), tok, run


def prompt_template(cfg, tok):
    """cfg.template, else the one the checkpoint was tuned with (load_checkpoint's tok.template), else Alpaca's."""
    return cfg.template or getattr(tok, 'template', None) or 'alpaca'


def right_padded(seqs, device):
    x = torch.zeros(len(seqs), max(map(len, seqs)), dtype=torch.long, device=device)
    for i, s in enumerate(seqs):
        x[i, :len(s)] = torch.tensor(s)
    return x


@torch.inference_mode()
def logliks(model, requests, batch_size):
    """log p(continuation | context), summed, for each (context ids, continuation ids) request, padded on
    the right (causal attention: padding changes nothing before it); requests with the same input share a pass."""
    inputs = {}  # model input (context + continuation without its last token) -> request indices
    for r, (ctx, cont) in enumerate(requests):
        assert ctx and cont, "a request needs a context (at least BOS) and a continuation"
        inputs.setdefault(tuple(ctx) + tuple(cont[:-1]), []).append(r)
    keys = sorted(inputs, key=len)
    out = [0.0] * len(requests)
    device = model.tok_embeddings.weight.device
    for s in range(0, len(keys), batch_size):
        batch = keys[s:s + batch_size]
        logits = model(right_padded(batch, device))  # (b, T, vocab)
        for j, key in enumerate(batch):
            for r in inputs[key]:
                cont = torch.tensor(requests[r][1], device=device)
                logp = F.log_softmax(logits[j, len(key) - len(cont):len(key)], dim=-1)  # (len(cont), vocab)
                out[r] = logp.gather(-1, cont[:, None]).double().sum().item()
    return out


def newline_stops(tok):
    """The tokenizer's stop tokens and every token that begins a new line (only blanks before its newline):
    'greedy until a newline' stops there. Not '.\\n' (its '.' would be lost): first_line cuts the text instead."""
    texts = (tok.token_bytes(i).decode('utf-8', 'replace') for i in range(tok.n_words))
    return tuple(tok.stop_tokens) + tuple(i for i, t in enumerate(texts) if '\n' in t and not t.split('\n')[0].strip())


def first_line(text):
    return text.strip(' ').split('\n')[0].strip()


def fits(model, prompt):
    return len(prompt) < model.args.max_seq_len


def generate_batched(model, prompts, max_new_tokens, stop_tokens, batch_size, beam=1):
    """Continuations of every prompt, greedy (model.generate) or by beam search, in batches of similar
    length (generate prefills up to a batch's shortest prompt); a prompt too long for max_seq_len gets none."""
    order = sorted((i for i in range(len(prompts)) if fits(model, prompts[i])), key=lambda i: len(prompts[i]))
    out = [[] for _ in prompts]
    for s in tqdm(range(0, len(order), batch_size), disable=None, leave=False):
        idx = order[s:s + batch_size]
        batch = [prompts[i] for i in idx]
        new = (M.generate(model, batch, max_new_tokens, stop_tokens=stop_tokens) if beam == 1
               else beam_search(model, batch, beam, max_new_tokens, stop_tokens))
        for i, n in zip(idx, new):
            out[i] = n
    return out


# -----------------------------------------------------------------------------------------------
# Perplexity per language (LLaMA Beyond English, Table 2)

PPL_NOTE = ("perplexity per token is comparable only between models with the same tokenizer; "
            "bits per byte (UTF-8 bytes of the text) compares an extended vocabulary with the original")


def read_documents(path, tok):
    """[(ids with BOS, UTF-8 bytes, characters)] from a text file (a document a line) or a tokenize_prep
    shard split at BOS (bytes counted on the decoded text; an EOS in the shard is scored too)."""
    try:
        with open(path, 'rb') as f:
            is_shard = f.read(len(tokenize_prep.MAGIC)) == tokenize_prep.MAGIC
    except OSError as e:
        raise InputError(f"{path}: cannot read this held-out text file (ppl_files) ({e.strerror})")
    if is_shard:
        ids = tokenize_prep.read_shard(path, tok.n_words).tokens.tolist()
        starts = [i for i, t in enumerate(ids) if t == tok.bos_id]
        cuts = ([0] if not starts or starts[0] else []) + starts + [len(ids)]
        docs = [ids[a:b] if ids[a] == tok.bos_id else [tok.bos_id] + ids[a:b] for a, b in zip(cuts, cuts[1:]) if a < b]
        texts = [(d, tok.decode(d[1:])) for d in docs if len(d) > 1]
        return [(d, len(t.encode('utf-8')), len(t)) for d, t in texts]
    return [(tok.encode(line, bos=True, eos=False), len(line.encode('utf-8')), len(line))
            for line in read_lines(path, "held-out text file (ppl_files)") if line.strip()]


def ppl_windows(n, window, stride):
    """[(start, first, end)]: window tokens[start:end] scores tokens[first:end]. Each window ends `stride`
    tokens after the last, so every token but BOS is scored once, with at least window - stride of context."""
    if n <= window:
        return [(0, 1, n)]
    out, end = [(0, 1, window)], window
    while end < n:
        new_end = min(end + stride, n)
        out.append((new_end - window, end, new_end))
        end = new_end
    return out


def perplexity(model, docs, window, stride, batch_size):
    requests, n_bytes, n_chars = [], 0, 0
    for ids, nb, nc in docs:
        n_bytes, n_chars = n_bytes + nb, n_chars + nc
        requests += [(ids[start:first], ids[first:end]) for start, first, end in ppl_windows(len(ids), window, stride)]
    if not requests:
        raise InputError("perplexity: no document with text in it")
    nll = -sum(logliks(model, requests, batch_size))
    n_tokens = sum(len(cont) for _, cont in requests)
    return {'documents': len(docs), 'tokens': n_tokens, 'bytes': n_bytes, 'nll_per_token': nll / n_tokens,
            'ppl': math.exp(nll / n_tokens), 'bits_per_byte': nll / math.log(2) / n_bytes,
            'tokens_per_char': n_tokens / n_chars}  # how finely the tokenizer cuts this language


def eval_perplexity(model, tok, cfg):
    window = cfg.ppl_window or model.args.max_seq_len
    stride = cfg.ppl_stride or window // 2
    if not 2 <= window <= model.args.max_seq_len or not 1 <= stride < window:
        raise InputError(f"ppl_window={window} must be 2..max_seq_len={model.args.max_seq_len} and "
                         f"ppl_stride={stride} 1..ppl_window-1")
    out = {}
    for lang, path in cfg.ppl_files.items():
        docs = limited(read_documents(path, tok), cfg)
        if not docs:
            raise InputError(f"{path}: no document with text in it (ppl_files[{lang!r}]); give a document a line")
        out[lang] = perplexity(model, docs, window, stride, cfg.batch_size)
    return {**out, 'windows': {'window': window, 'stride': stride}, 'note': PPL_NOTE}


# -----------------------------------------------------------------------------------------------
# Extractive QA (XQuAD, MLQA, IndicQA): x-LLaMA's prompts, EM and F1, substring match

# NJUNLP/x-LLM data/xquad/xquad.py: _INSTRUCTIONS and _TEMPLATES (the template is the Alpaca input)
XLLAMA_QA_PROMPTS = {
    'ar': ("الرجاء الإجابة على الأسئلة بناءً على الفقرات التالية", "فقرة: {context}\nسؤال: {question}\nإجابة: "),
    'el': ("Απαντήστε στις ερωτήσεις με βάση τις παρακάτω παραγράφους",
           "παράγραφος: {context}\nερώτηση: {question}\nΑπάντηση: "),
    'en': ("Answer the final question with following context", "Context: {context}\nQuestion: {question}\nAnswer: "),
    'hi': ("कृपया निम्नलिखित पैराग्राफ के अनुसार प्रश्नों के उत्तर दें",
           "अनुच्छेद: {context}\nसवाल: {question}\nउत्तर: "),
    'tr': ("Lütfen soruları aşağıdaki paragraflara göre cevaplayınız",
           "paragraf: {context}\nsoru: {question}\nCevap: "),
    'vi': ("Hãy trả lời các câu hỏi theo đoạn văn sau", "đoạn văn: {context}\ncâu hỏi: {question}\nTrả lời: "),
    'zh': ("请根据以下段落，回答问题", "段落: {context}\n问题: {question}\n答案: "),
}
# COMMIT's harness prompts (thnkinbtfly/COMMIT lm-evaluation-harness/lm_eval/tasks/opengptx/xquad.py, mlqa.py):
# background, question and answer labels; its "+En prompt" runs (ogx_xquad_en{lang}) keep the English ones
COMMIT_QA_LABELS = {
    'en': ('Background:', 'Question:', 'Answer:'), 'ar': (':معرفتي', ':سؤال', ':إجابه'),
    'de': ('Hintergrund:', 'Frage:', 'Antwort:'), 'zh': ('背景:', '問題:', '答案:'),
    'vi': ('lý lịch:', 'câu hỏi:', 'câu trả lời:'), 'es': ('antecedentes:', 'pregunta:', 'respuesta:'),
    'hi': ('पृष्ठभूमि:', 'सवाल:', 'उत्तर:'), 'el': ('Πληροφορίες ιστορικού:', 'Ερώτηση:', 'Απάντηση:'),
    'th': ('พื้นหลัง:', 'คำถาม:', 'ตอบ:'), 'tr': ('arka fon:', 'soru:', 'Cevap:'),
    'ru': ('задний план:', 'вопрос:', 'отвечать:'), 'ro': ('fundal:', 'întrebare:', 'Răspuns:'),
}
QA_PROMPTS = ('native', 'english', 'alpaca', 'commit', 'commit-en')
XLLAMA_QA_JUDGED = 100  # x-LLaMA App. D: the first one hundred questions of XQuAD and MLQA
SQUAD_LAYOUT = "SQuAD JSON is data[].paragraphs[].{context, qas[].{id, question, answers[].text}}"


def read_squad(path):
    """[{id, context, question, answers}] from SQuAD JSON; an unanswerable question (IndicQA) has the gold
    answer '', as SQuAD v2.0's evaluate-v2.0.py scores it (`if not gold_answers: gold_answers = ['']`)."""
    data = read_json(path, 'SQuAD JSON file')

    def need(obj, key, kind, where):
        if not isinstance(obj, dict) or not isinstance(obj.get(key), kind):
            raise InputError(f"{path}: {where} has no {key!r} ({kind.__name__}); {SQUAD_LAYOUT}")
        return obj[key]

    out = []
    for a, article in enumerate(need(data, 'data', list, 'the top level')):
        for p, para in enumerate(need(article, 'paragraphs', list, f'data[{a}]')):
            where = f'data[{a}].paragraphs[{p}]'
            context = need(para, 'context', str, where)
            for q, qa in enumerate(need(para, 'qas', list, where)):
                w = f'{where}.qas[{q}]'
                answers = [need(ans, 'text', str, f'{w}.answers[{i}]')
                           for i, ans in enumerate(need(qa, 'answers', list, w))]
                out.append({'id': str(qa.get('id', f'{a}.{p}.{q}')), 'context': context,
                            'question': need(qa, 'question', str, w), 'answers': [x for x in answers if x] or ['']})
    return out


def xllama_input(item, lang, style):
    """x-LLaMA's Alpaca input (its judge's 'Context'): the language's template, else the English one."""
    key = lang if lang in XLLAMA_QA_PROMPTS and style not in ('english', 'commit-en') else 'en'
    return XLLAMA_QA_PROMPTS[key][1].format(context=item['context'].strip(), question=item['question'].strip())


def qa_prompt_text(item, lang, style, template='alpaca'):
    """'native'/'english': x-LLaMA's instruction and template (English's for 'english', as COMMIT compares);
    'alpaca': the question as instruction, the context as input (the demo's); 'commit'/'commit-en': raw text."""
    if style == 'alpaca':
        return M.format_prompt(item['question'].strip(), item['context'].strip(), template)
    if style in ('commit', 'commit-en'):
        key = 'en' if style == 'commit-en' else lang
        if key not in COMMIT_QA_LABELS:
            raise InputError(f"qa: COMMIT's harness has no prompt in {lang!r} (it has {', '.join(COMMIT_QA_LABELS)}); "
                             "set qa_prompt='commit-en'")
        background, question, answer = COMMIT_QA_LABELS[key]
        return f"{background}\n\n{item['context']}\n\n{question}{item['question']}\n\n{answer}"
    if style == 'native' and lang not in XLLAMA_QA_PROMPTS:
        raise InputError(f"qa: x-LLaMA has no prompt in {lang!r} (it has {', '.join(XLLAMA_QA_PROMPTS)}); "
                         "set qa_prompt='english'")
    instruction = XLLAMA_QA_PROMPTS['en' if style == 'english' else lang][0]
    return M.format_prompt(instruction, xllama_input(item, lang, style), template)


# MLQA's evaluation script (facebookresearch/MLQA mlqa_evaluation_v1.py): articles per language
MLQA_ARTICLES = {
    'en': r'\b(a|an|the)\b',
    'es': r'\b(un|una|unos|unas|el|la|los|las)\b',
    'vi': r'\b(của|là|cái|chiếc|những)\b',
    'de': r'\b(ein|eine|einen|einem|eines|einer|der|die|das|den|dem|des)\b',
    'ar': r'\sال^|ال',
}
SQUAD_PUNCT = frozenset(string.punctuation)  # SQuAD v1.1's evaluate script


@cache
def unicode_punctuation():
    """MLQA: every character of a Unicode punctuation category (P*), plus ASCII punctuation."""
    return frozenset(chr(i) for i in range(sys.maxunicode) if unicodedata.category(chr(i))[0] == 'P') | SQUAD_PUNCT


def mixed_segmentation(text):
    """MLQA's for Chinese: each CJK ideograph (U+4E00..U+9FA5) and punctuation mark is a token."""
    tokens, run, punct = [], '', unicode_punctuation()
    for ch in text:
        if '\u4e00' <= ch <= '\u9fa5' or ch in punct:
            tokens += run.split() + [ch]
            run = ''
        else:
            run += ch
    return tokens + run.split()


def normalize_answer(s, lang, style='mlqa'):
    """'squad': SQuAD v1.1's (ASCII punctuation, English articles); 'mlqa': MLQA's (Unicode punctuation, the
    language's articles, Chinese in characters). MLQA refuses languages past en es hi vi de ar zh: we treat
    them (IndicQA's) as Hindi."""
    s = s.lower()
    if style == 'squad':
        s = ''.join(ch for ch in s if ch not in SQUAD_PUNCT)
        return ' '.join(re.sub(r'\b(a|an|the)\b', ' ', s).split())
    punct = unicode_punctuation()
    s = ''.join(ch for ch in s if ch not in punct)
    if lang in MLQA_ARTICLES:
        s = re.sub(MLQA_ARTICLES[lang], ' ', s)
    tokens = mixed_segmentation(s) if lang == 'zh' else s.split()
    return ' '.join(t for t in tokens if t.strip())


def exact_match(pred, gold, lang, style='mlqa'):
    return float(normalize_answer(pred, lang, style) == normalize_answer(gold, lang, style))


def f1_score(pred, gold, lang, style='mlqa'):
    p, g = normalize_answer(pred, lang, style).split(), normalize_answer(gold, lang, style).split()
    if not gold:  # unanswerable: SQuAD v2.0's rule (compute_f1), 1 for an empty prediction, else 0
        return float(not p)
    same = sum((Counter(p) & Counter(g)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(p), same / len(g)
    return 2 * precision * recall / (precision + recall)


def substring_match(pred, gold):
    """x-LLaMA's accuracy (x-LLM eval/xquad.match.py): the gold answer occurs in the whole output, both
    lower-cased. Gold '' (unanswerable) matches only an empty output, as EM scores it: our choice."""
    return float(gold.strip().lower() in pred.lower()) if gold.strip() else float(not pred.strip())


def qa_scores(preds, golds, lang, style='mlqa', outputs=None):
    """EM and F1 of `preds`, match of `outputs` (default preds): best gold answer, mean in percent."""
    n, outputs = len(golds), outputs or preds
    return {'em': 100 * sum(max(exact_match(p, g, lang, style) for g in gs) for p, gs in zip(preds, golds)) / n,
            'f1': 100 * sum(max(f1_score(p, g, lang, style) for g in gs) for p, gs in zip(preds, golds)) / n,
            'match': 100 * sum(max(substring_match(p, g) for g in gs) for p, gs in zip(outputs, golds)) / n,
            'n': n}


def eval_qa(model, tok, cfg):
    if cfg.qa_prompt not in QA_PROMPTS or cfg.qa_norm not in ('mlqa', 'squad'):
        raise InputError(f"qa_prompt must be one of {', '.join(QA_PROMPTS)}, qa_norm 'mlqa' or 'squad' "
                         f"(got {cfg.qa_prompt!r}, {cfg.qa_norm!r})")
    harness = cfg.qa_prompt.startswith('commit')
    # x-LLaMA's match reads the whole output, so generation runs to EOS; COMMIT's harness stops at '\n'
    # and encodes without BOS (lm-evaluation-harness's add_special_tokens=False for causal models)
    stops, out, template = newline_stops(tok) if harness else tok.stop_tokens, {}, prompt_template(cfg, tok)
    for lang, path in cfg.qa_files.items():
        items = limited(read_squad(path), cfg)
        prompts = [tok.encode(qa_prompt_text(it, lang, cfg.qa_prompt, template), bos=not harness, eos=False)
                   for it in items]
        new = generate_batched(model, prompts, cfg.qa_max_new_tokens, stops, cfg.batch_size)
        outputs = [tok.decode(n).strip() for n in new]
        preds = [first_line(x) for x in outputs]  # EM/F1 score the short answer: its first line
        out[lang] = {**qa_scores(preds, [it['answers'] for it in items], lang, cfg.qa_norm, outputs),
                     'too_long': sum(not fits(model, p) for p in prompts),
                     'code_switching': code_switching(preds, lang, cfg.cs_min_run, cfg.cs_scripts)['rate'],
                     'samples': [{'id': it['id'], 'prediction': p, 'answers': it['answers']}
                                 for it, p in list(zip(items, preds))[:5]],
                     # what x-LLaMA's ChatGPT judge reads (App. D: the first one hundred questions)
                     'outputs': [{'id': it['id'], 'input': xllama_input(it, lang, cfg.qa_prompt), 'output': x}
                                 for it, x in list(zip(items, outputs))[:XLLAMA_QA_JUDGED]]}
    return {**out, 'prompt': cfg.qa_prompt, 'normalisation': cfg.qa_norm}


# -----------------------------------------------------------------------------------------------
# Translation on FLORES: x-LLaMA's prompt, greedy or beam search; BLEU, chrF and spBLEU by sacrebleu

def iso_code(code):
    """'hin_Deva' -> 'hi' (by its ISO 639-3 part); an ISO 639-1 code stays as it is."""
    if code in tokenize_prep.LANGUAGES:
        return code
    iso = {flores.split('_')[0]: iso for iso, (_, flores) in tokenize_prep.LANGUAGES.items()}.get(code.split('_')[0])
    if iso is None:
        raise InputError(f"language {code!r}: not a FLORES-200 code evaluate.py knows; add it to "
                         "tokenize_prep.LANGUAGES")
    return iso


def translation_prompt(src, tgt, text, template='alpaca'):
    """x-LLaMA's first translation instruction (the one it tests with), the sentence as the Alpaca input."""
    return M.format_prompt(tokenize_prep.translation_instruction(iso_code(src), iso_code(tgt), 0), text, template)


def read_flores(flores_dir, pair):
    """(source code, target code, sources, references) of a pair of line-aligned {code}.devtest files."""
    src, sep, tgt = pair.partition('-')
    if not sep:
        raise InputError(f"language pair {pair!r}: write SOURCE-TARGET with FLORES codes, e.g. eng_Latn-hin_Deva")
    rows = tokenize_prep.read_parallel([Path(flores_dir) / f'{code}.devtest' for code in (src, tgt)])
    return src, tgt, [a for _, a, _ in rows], [b for _, _, b in rows]


@torch.inference_mode()
def beam_search(model, prompts, beam, max_new_tokens, stop_tokens, length_penalty=1.0):
    """Hugging Face's beam search with its defaults (How Multilingual decodes with them): 2*beam candidates a
    step, an ending counts only among the best `beam`, a hypothesis scores sum log p / length**length_penalty,
    a prompt is done once `beam` have ended and no live beam can beat the worst. Each prompt owns `beam` cache
    rows, padded on the left and masked (RoPE depends on relative positions only, so padding changes no score)."""
    B, K, L = len(prompts), beam, max(map(len, prompts))
    device = model.tok_embeddings.weight.device
    total = min(model.args.max_seq_len, L + max_new_tokens)
    tokens = torch.zeros(B * K, L, dtype=torch.long, device=device)
    valid = torch.zeros(B * K, total, dtype=torch.bool, device=device)  # positions a query may attend to
    for b, p in enumerate(prompts):
        tokens[b * K:(b + 1) * K, L - len(p):] = torch.tensor(p)
        valid[b * K:(b + 1) * K, L - len(p):L] = True
    causal = torch.ones(L, L, dtype=torch.bool, device=device).tril()
    # a padding query attends to itself only, so its (unused) state stays finite
    mask = (causal[None] & valid[:, None, :L]) | torch.eye(L, dtype=torch.bool, device=device)  # (B*K, L, L)
    stops = set(stop_tokens)
    scores = torch.full((B, K), -math.inf, device=device)
    scores[:, 0] = 0.0  # the K rows start identical: only one may propose candidates
    gen = torch.zeros(B * K, 0, dtype=torch.long, device=device)
    ended = [[] for _ in range(B)]  # (score, tokens), best first, at most K
    done = [False] * B

    def end(b, sum_logp, hyp):
        ended[b].append((sum_logp / max(len(hyp), 1) ** length_penalty, hyp))
        ended[b].sort(key=lambda e: -e[0])
        del ended[b][K:]

    model.setup_cache(B * K, total)
    try:
        logits = model(tokens, 0, mask[:, None])[:, -1]
        for t in range(total - L):
            logp = F.log_softmax(logits.float(), dim=-1)  # (B*K, vocab)
            V = logp.size(-1)
            top_s, top_i = (scores.view(-1, 1) + logp).view(B, K * V).topk(2 * K, dim=1)
            src = torch.arange(B * K, device=device).view(B, K).clone()  # rows the next beams continue
            nxt = torch.zeros(B, K, dtype=torch.long, device=device)
            new = torch.full((B, K), -math.inf, device=device)
            for b in range(B):
                if done[b]:
                    continue
                n = 0
                for rank, (s, i) in enumerate(zip(top_s[b].tolist(), top_i[b].tolist())):
                    k, token = divmod(i, V)
                    if s == -math.inf or n == K:
                        break
                    if token not in stops:
                        src[b, n], nxt[b, n], new[b, n] = b * K + k, token, s
                        n += 1
                    elif rank < K:
                        end(b, s, gen[b * K + k].tolist())
                best_live = new[b, 0].item() / (t + 1) ** length_penalty
                done[b] = n == 0 or len(ended[b]) == K and ended[b][-1][0] >= best_live
            if all(done):
                break
            index = src.view(-1)
            model.reorder_cache(index)
            gen = torch.cat([gen[index], nxt.view(-1, 1)], dim=1)
            scores = new
            valid[:, L + t] = True
            logits = model(nxt.view(-1, 1), L + t, valid[:, None, None, :L + t + 1])[:, -1]
        for b in range(B):  # out of room: the live beams end here
            if not done[b]:
                for k in range(K):
                    if scores[b, k] > -math.inf:
                        end(b, scores[b, k].item(), gen[b * K + k].tolist())
    finally:
        model.clear_cache()
    return [e[0][1] if e else [] for e in ended]


def bleu_tokenizer(code):
    """sacrebleu's: 'zh' for Chinese targets, '13a' otherwise (not its MeCab for Japanese and Korean)."""
    return 'zh' if code.split('_')[0] in ('zh', 'zho', 'cmn') else '13a'


def spm_pieces(sp, lines):
    """Each line in FLORES SentencePiece pieces (sacrebleu's flores101/200): BLEU on them is spBLEU."""
    return [' '.join(sp.encode(line, out_type=str)) for line in lines]


def load_spm(path):
    import sentencepiece
    sp = sentencepiece.SentencePieceProcessor()
    try:
        sp.Load(str(path))
    except (OSError, RuntimeError) as e:
        raise InputError(f"{path}: not a SentencePiece model ({str(e).splitlines()[0][:120]}); spm_path is "
                         "the FLORES spBLEU model (sacrebleu's flores200_sacrebleu_tokenizer_spm.model)")
    return sp


def eval_translation(model, tok, cfg):
    stops, sp, out = newline_stops(tok), load_spm(cfg.spm_path) if cfg.spm_path else None, {}
    template = prompt_template(cfg, tok)
    for pair in cfg.mt_pairs:
        src, tgt, sources, refs = read_flores(cfg.flores_dir, pair)
        sources, refs = limited(sources, cfg), limited(refs, cfg)
        prompts = [tok.encode(translation_prompt(src, tgt, s, template), bos=True, eos=False) for s in sources]
        new = generate_batched(model, prompts, cfg.mt_max_new_tokens, stops, cfg.batch_size, cfg.mt_beam)
        hyps = [first_line(tok.decode(n)) for n in new]
        out[pair] = {'bleu': sacrebleu.corpus_bleu(hyps, [refs], tokenize=bleu_tokenizer(tgt)).score,
                     'chrf': sacrebleu.corpus_chrf(hyps, [refs]).score,
                     'n': len(refs), 'too_long': sum(not fits(model, p) for p in prompts),
                     'code_switching': code_switching(hyps, iso_code(tgt), cfg.cs_min_run, cfg.cs_scripts)['rate'],
                     'tokenize': bleu_tokenizer(tgt), 'samples': hyps[:5]}
        if sp is not None:
            pieces = spm_pieces(sp, hyps), [spm_pieces(sp, refs)]
            out[pair]['spbleu'] = sacrebleu.corpus_bleu(*pieces, tokenize='none').score
    return {**out, 'beam': cfg.mt_beam}


# -----------------------------------------------------------------------------------------------
# Multiple choice (MMLU, C-Eval, AGI-Eval, GAOKAO-Bench), scored by the log-likelihood of each answer letter

CHOICES = 'ABCD'


def read_mc_csv(path):
    """[{question, choices, answer index}] from MMLU's header-less question,A,B,C,D,answer rows or
    C-Eval's id,question,A,B,C,D,answer[,explanation] with a header."""
    try:
        with open(path, encoding='utf-8', newline='') as f:
            reader = csv.reader(f)
            rows = [(reader.line_num, row) for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise InputError(f"{path}: cannot read it as UTF-8 CSV ({e})")
    header = [c.strip().lower() for c in rows[0][1]] if rows else []
    names = ('question', 'a', 'b', 'c', 'd', 'answer')
    if set(names) <= set(header):
        cols, rows = [header.index(n) for n in names], rows[1:]
    else:
        cols = list(range(6))
    out = []
    for line, row in rows:
        if len(row) <= max(cols) or row[cols[5]].strip() not in tuple(CHOICES):
            raise InputError(f"{path} line {line}: expected question, A, B, C, D and an answer letter A-D")
        out.append({'question': row[cols[0]], 'choices': [row[c] for c in cols[1:5]],
                    'answer': CHOICES.index(row[cols[5]].strip())})
    return out


# (description, answer label, what comes before the letter): lm-evaluation-harness's MMLU task; C-Eval's
# prompt (hkust-nlp/ceval code/evaluator_series/evaluators/llama.py), whose script compares the logits of
# encode('A')[0] ...: we score its letters as its shots write them, lm-evaluation-harness's way
KSHOT_PROMPTS = {'mmlu': ("The following are multiple choice questions (with answers) about {}.\n\n", "\nAnswer:", ' '),
                 'ceval': ("以下是中国关于{}考试的单项选择题，请选出其中的正确答案。\n\n", "\n答案：", '')}


def kshot_prompt(fmt, subject, shots, doc):
    """The description, k solved examples and the question, '\\n\\n' between them (MMLU strips the question)."""
    head, label, space = KSHOT_PROMPTS[fmt]

    def text(d):
        question = d['question'].strip() if fmt == 'mmlu' else d['question']
        return question + ''.join(f"\n{c}. {x}" for c, x in zip(CHOICES, d['choices'])) + label
    shots = ''.join(f"{text(d)}{space}{CHOICES[d['answer']]}\n\n" for d in shots)
    return head.format(subject) + shots + text(doc), [space + c for c in CHOICES]


# AGI-Eval and GAOKAO-Bench zero-shot (LLaMA Beyond English, "Evaluation Protocol"), one-answer items only (not the
# cloze sets math, gaokao-mathcloze, nor jec-qa's and gaokao-physics' multi-answer items); AGI-Eval's prompts are
# its own (ruixiangcui/AGIEval src/dataset_loader.py convert_zero_shot)
AGIEVAL_CHINESE = ('logiqa-zh', 'jec-qa-kd', 'jec-qa-ca', 'gaokao-chinese', 'gaokao-geography', 'gaokao-history',
                   'gaokao-biology', 'gaokao-chemistry', 'gaokao-physics', 'gaokao-mathqa')
AGIEVAL_CLOZE = ('math', 'gaokao-mathcloze')
LETTERS = 'ABCDEFG'


def read_agieval(path):
    """([(AGI-Eval's zero-shot prompt, its letters, answer index)], items left out) from an AGI-Eval .jsonl file;
    the letters follow 'the answer is' (' A') or '我们应选择' ('A')."""
    out, skipped, zh = [], 0, path.stem in AGIEVAL_CHINESE
    for i, line in enumerate(read_lines(path, "AGI-Eval file (mc_dir: its data/v1)")):
        try:
            d = json.loads(line)
            options, label = d['options'], d['label']
            if not isinstance(options, list) or not isinstance(label, str) or label not in LETTERS[:len(options)]:
                skipped += 1  # no options (cloze), several answers (a list) or none: not a one-answer item
                continue
            passage, question, choices = d.get('passage') or '', d['question'], ' '.join(options)
        except (ValueError, KeyError, TypeError):
            raise InputError(f"{path} line {i + 1}: expected AGI-Eval's {{passage, question, options, label}} JSON")
        letters = LETTERS[:len(options)]
        last = LETTERS[len(options) - 1] if len(options) > 1 else 'D' if zh else 'E'  # its count == 1 rule
        if zh:
            out.append((f"{passage}问题：{question} 选项：{choices}\n答案：从A到{last}, 我们应选择", list(letters),
                        LETTERS.index(label)))
        else:
            out.append((f"{passage}Q: {question} Answer Choices: {choices}\nA: Among A through {last}, the answer is",
                        [f' {c}' for c in letters], LETTERS.index(label)))
    return out, skipped


def read_gaokao(path):
    """([(prompt, letters, answer index)], items left out) from a GAOKAO-Bench Objective_Questions file:
    {"keywords", "example": [{question (options inside), answer: [letter]}]}. Its own prompts ask a chat model to
    reason and write 【答案】; for a base model's zero-shot log-likelihood we end the question with C-Eval's '答案：'
    and score the letters: our choice."""
    data = read_json(path, "GAOKAO-Bench file (mc_dir: its Data/Objective_Questions)")
    examples = data.get('example') if isinstance(data, dict) else None
    if not isinstance(examples, list):
        raise InputError(f"{path}: expected GAOKAO-Bench's {{\"keywords\", \"example\": [...]}} layout")
    out = [(d['question'].strip() + "\n答案：", list(CHOICES), CHOICES.index(d['answer'][0]))
           for d in examples if isinstance(d, dict) and isinstance(d.get('question'), str)
           and isinstance(d.get('answer'), list) and len(d['answer']) == 1 and d['answer'][0] in tuple(CHOICES)]
    return out, len(examples) - len(out)


def mc_accuracy(model, tok, questions, batch_size):
    """questions: [(subject, context, continuations, answer index)] -> per-subject and overall accuracy (percent)
    and the log-likelihood of every continuation (a list per question: AGI-Eval's have up to 5). Each is split
    from its context as lm-evaluation-harness splits them (encode both together, cut where the context alone ends),
    the context cut from the left to fit max_seq_len."""
    requests, max_len = [], model.args.max_seq_len
    for _, context, conts, _ in questions:
        ctx = tok.encode(context, bos=True, eos=False)
        for c in conts:
            cont = tok.encode(context + c, bos=True, eos=False)[len(ctx):]
            requests.append((ctx[-(max_len + 1 - len(cont)):], cont))
    flat = logliks(model, requests, batch_size)
    counts = [len(conts) for _, _, conts, _ in questions]
    ll = [np.array(flat[a - n:a]) for n, a in zip(counts, np.cumsum(counts))]
    correct = np.array([x.argmax() for x in ll]) == np.array([answer for *_, answer in questions])
    per = {}
    for (subject, *_), ok in zip(questions, correct):
        per.setdefault(subject, []).append(ok)
    subjects = {s: {'acc': 100 * float(np.mean(v)), 'n': len(v)} for s, v in per.items()}
    return {'subjects': subjects, 'acc': 100 * float(correct.mean()),
            'acc_macro': float(np.mean([v['acc'] for v in subjects.values()])), 'n': len(questions)}, ll


def eval_multiple_choice(model, tok, cfg):
    """MMLU or C-Eval k-shot (mc_dir holds dev/ and {mc_split}/); AGI-Eval (mc_dir = its data/v1) or
    GAOKAO-Bench (its Data/Objective_Questions) zero-shot."""
    fmt, root = cfg.mc_format, Path(cfg.mc_dir)
    if fmt not in ('mmlu', 'ceval', 'agieval', 'gaokao'):
        raise InputError(f"mc_format must be 'mmlu', 'ceval', 'agieval' or 'gaokao', not {fmt!r}")
    zero_shot = fmt in ('agieval', 'gaokao')
    if zero_shot and cfg.mc_shots:
        raise InputError(f"mc_shots={cfg.mc_shots}: LLaMA Beyond English evaluates {fmt} zero-shot; set mc_shots=0")
    pattern = {'agieval': '*.jsonl', 'gaokao': '*.json'}.get(fmt, f'{cfg.mc_split}/*_{cfg.mc_split}.csv')
    files = sorted(p for p in root.glob(pattern) if not (fmt == 'agieval' and p.stem in AGIEVAL_CLOZE))
    if not files:
        raise InputError(f"{root}: no {pattern} files; mc_dir is MMLU's or C-Eval's folder (dev/ and test/ or val/), "
                         "AGI-Eval's data/v1 or GAOKAO-Bench's Data/Objective_Questions")
    mapping = root / 'subject_mapping.json'  # C-Eval's: {key: [English name, Chinese name, category]}
    mapping = read_json(mapping, 'C-Eval subject_mapping.json') if mapping.is_file() and not zero_shot else {}
    questions, skipped = [], 0
    for path in files:
        if zero_shot:
            docs, n = (read_agieval if fmt == 'agieval' else read_gaokao)(path)
            questions += [(path.stem, *doc) for doc in limited(docs, cfg)]
            skipped += n
            continue
        key = path.stem.removesuffix(f'_{cfg.mc_split}')
        subject = mapping[key][1 if fmt == 'ceval' else 0] if key in mapping else key.replace('_', ' ')
        dev = root / 'dev' / f'{key}_dev.csv'
        shots = read_mc_csv(dev)[:cfg.mc_shots] if cfg.mc_shots and dev.is_file() else []
        if len(shots) < cfg.mc_shots:
            raise InputError(f"{dev}: {len(shots)} examples for {cfg.mc_shots}-shot prompts; lower mc_shots")
        questions += [(subject, *kshot_prompt(fmt, subject, shots, doc), doc['answer'])
                      for doc in limited(read_mc_csv(path), cfg)]
    result = mc_accuracy(model, tok, questions, cfg.batch_size)[0]
    return {**result, 'shots': cfg.mc_shots, **({'left_out': skipped} if zero_shot else {})}


# -----------------------------------------------------------------------------------------------
# Responses to instructions, and their code-switching rate (LLaMA Beyond English, Figure 4)

# A language's own Unicode scripts (UAX #24) by the script part of its FLORES code. LLaMA Beyond English (Fig. 3/4)
# calls a response code-switched when it holds another language (English, Japanese... in Chinese): by script,
# Latin is foreign in non-Latin languages, and Latin-script languages cannot be told apart. Korean: Hanja too (ours).
SCRIPT_NAMES = {'Latn': 'Latin', 'Hans': 'Han', 'Hant': 'Han', 'Jpan': 'Han Hiragana Katakana',
                'Kore': 'Hangul Han', 'Hang': 'Hangul Han', 'Deva': 'Devanagari', 'Beng': 'Bengali', 'Taml': 'Tamil',
                'Telu': 'Telugu', 'Gujr': 'Gujarati', 'Knda': 'Kannada', 'Mlym': 'Malayalam', 'Guru': 'Gurmukhi',
                'Arab': 'Arabic', 'Hebr': 'Hebrew', 'Cyrl': 'Cyrillic', 'Grek': 'Greek', 'Thai': 'Thai',
                'Ethi': 'Ethiopic', 'Khmr': 'Khmer', 'Laoo': 'Lao', 'Mymr': 'Myanmar', 'Sinh': 'Sinhala',
                'Orya': 'Oriya', 'Armn': 'Armenian', 'Geor': 'Georgian', 'Tibt': 'Tibetan'}
# the scripts a character is looked up in (any other script is reported as 'Other')
SCRIPTS = tuple(dict.fromkeys(' '.join(SCRIPT_NAMES.values()).split() + [
    'Mongolian', 'Syriac', 'Thaana', 'Bopomofo', 'Yi', 'Cherokee']))
SCRIPT_PATTERNS = {s: regex.compile(rf'\p{{Script={s}}}') for s in SCRIPTS}
SHARED = regex.compile(r'[\p{Script=Common}\p{Script=Unknown}]')  # digits, punctuation, symbols, µ, 𝐀 ...
INHERITED = regex.compile(r'\p{Script=Inherited}')  # combining marks, ZWJ/ZWNJ: the script of what they follow


@cache
def script_of(ch):
    """A character's Unicode Script ('Latin', 'Han'...; º is Latin); None for Common, Inherited and
    unassigned ones (µ, 𝐀, '।'), which every script shares."""
    if SHARED.match(ch) or INHERITED.match(ch):
        return None
    return next((s for s in SCRIPTS if SCRIPT_PATTERNS[s].match(ch)), 'Other')


def foreign_runs(text, allowed, min_run=1):
    """Scripts outside `allowed` with a run of `min_run` characters or more; combining marks continue a
    run, Common characters (spaces, digits, punctuation) end it."""
    found, script, length = set(), None, 0
    for ch in text + ' ':
        s = script_of(ch)
        if s is None and INHERITED.match(ch):
            continue
        if s != script:
            if script is not None and script not in allowed and length >= min_run:
                found.add(script)
            script, length = s, 0
        length += s is not None
    return found


def code_switching(responses, lang, min_run=1, extra=None):
    """LLaMA Beyond English's code-switching rate (Fig. 4), by script: the percent of responses with a run
    of a foreign script, and in how many responses each foreign script was seen."""
    extra = {k: ' '.join(v) if isinstance(v, list) else v for k, v in (extra or {}).items()}
    scripts = extra.get(lang) or SCRIPT_NAMES.get(tokenize_prep.LANGUAGES.get(lang, ('', lang))[1].rpartition('_')[2])
    if scripts is None:
        raise InputError(f"code-switching: no script known for language {lang!r}; add it to cs_scripts, "
                         "e.g. cs_scripts = {'xx': 'Devanagari'}")
    names = {s.lower(): s for s in SCRIPTS}
    unknown = [s for s in scripts.split() if s.lower() not in names]
    if unknown:
        raise InputError(f"cs_scripts: {' '.join(unknown)} is not a script evaluate.py looks up; write Unicode's "
                         f"script names ({', '.join(SCRIPTS[:4])}...) or add it to SCRIPTS in evaluate.py")
    allowed = {names[s.lower()] for s in scripts.split()}
    seen = [foreign_runs(r, allowed, min_run) for r in responses]
    return {'rate': 100 * sum(bool(s) for s in seen) / max(len(responses), 1), 'n': len(responses),
            'scripts': dict(Counter(s for found in seen for s in found).most_common())}


def eval_chat(model, tok, cfg):
    if not cfg.chat_files:
        raise InputError("chat: set chat_files = {lang: held-out Alpaca records (JSON list or JSONL)}")
    out, template = {}, prompt_template(cfg, tok)
    for lang, path in cfg.chat_files.items():
        items = limited(P.read_records(path), cfg)
        prompts = [tok.encode(M.format_prompt(d['instruction'], d['input'], template), bos=True, eos=False)
                   for d in items]
        new = generate_batched(model, prompts, cfg.chat_max_new_tokens, tok.stop_tokens, cfg.batch_size)
        responses = [tok.decode(n).strip() for n in new]
        out[lang] = {'code_switching': code_switching(responses, lang, cfg.cs_min_run, cfg.cs_scripts),
                     'responses': [{'instruction': d['instruction'], 'input': d['input'], 'response': r,
                                    'reference': d['output']} for d, r in zip(items, responses)]}
    return out


# -----------------------------------------------------------------------------------------------
# Alignment by layer (x-LLaMA, Figure 5)


@torch.inference_mode()
def layer_states(model, seqs, batch_size):
    """Hidden states mean-pooled without BOS, (len(seqs), n_layers + 1, dim) float32, caught by forward hooks:
    the embeddings, then every block's output, the last after the final norm (Hugging Face's hidden_states)."""
    device = model.tok_embeddings.weight.device
    modules = [model.tok_embeddings, *model.layers[:-1], model.norm]
    out, states = torch.zeros(len(seqs), len(modules), model.args.dim), []
    hooks = [m.register_forward_hook(lambda module, args, h: states.append(h.float())) for m in modules]
    try:
        for s in range(0, len(seqs), batch_size):
            batch = seqs[s:s + batch_size]
            states.clear()
            model(right_padded(batch, device))  # (b, T); causal attention: the padding changes nothing before it
            keep = torch.zeros(len(batch), max(map(len, batch)), device=device)
            for j, seq in enumerate(batch):
                keep[j, 1:len(seq)] = 1.0
            stacked = torch.stack(states, dim=1)  # (b, n_layers + 1, T, dim)
            pooled = (stacked * keep[:, None, :, None]).sum(2) / keep.sum(1).clamp(min=1)[:, None, None]
            out[s:s + len(batch)] = pooled.cpu()
    finally:
        for hook in hooks:
            hook.remove()
    return out


def alignment_by_layer(model, tok, sources, targets, batch_size):
    """Per layer (embeddings first): the mean cosine similarity of each sentence's pooled states with its own
    translation's (matched) and with the others' (mismatched), their gap, and the largest gap's layer."""
    def states(lines):
        return F.normalize(layer_states(model, [tok.encode(x, bos=True, eos=False) for x in lines], batch_size), dim=-1)
    sim = torch.einsum('ild,jld->lij', states(sources).double(), states(targets).double())  # (layers + 1, N, N)
    n, diagonal = sim.size(-1), sim.diagonal(dim1=1, dim2=2)
    matched = diagonal.mean(-1)
    mismatched = (sim.sum((1, 2)) - diagonal.sum(-1)) / (n * (n - 1))
    gap = matched - mismatched
    return {'matched': matched.tolist(), 'mismatched': mismatched.tolist(), 'gap': gap.tolist(),
            'max_gap': gap.max().item(), 'max_gap_layer': int(gap.argmax())}


def eval_alignment(model, tok, cfg):
    out = {}
    for pair in cfg.align_pairs:
        _, _, sources, targets = read_flores(cfg.flores_dir, pair)
        if len(sources) < 2:
            raise InputError(f"align: {pair} needs at least two sentence pairs in {cfg.flores_dir}")
        out[pair] = alignment_by_layer(model, tok, sources[:cfg.align_max], targets[:cfg.align_max], cfg.batch_size)
    return out


# -----------------------------------------------------------------------------------------------
# Quadrants (How Multilingual is Multilingual LLM?, Eq. 1)

# (bilingual significant, multilingual significant) -> quadrant (sec. 3.2, "Quadrant Details")
QUADRANTS = {(True, True): 'reciprocal', (True, False): 'selfish', (False, True): 'altruistic',
             (False, False): 'stagnant'}
QUADRANT_COLOURS = {'reciprocal': '#1b9e77', 'altruistic': '#7570b3', 'stagnant': '#888888', 'selfish': '#d95f02'}


def delta(P_pre, P_post, T):
    """How Multilingual's Eq. 1 (sec. 3.2, App. D); a change is significant when Δ > 0:

        Δ = P_post / P_pre - 2          if P_pre >= T
        Δ = (P_post - 2T) / P_pre       otherwise

    P_pre = 0 (Table 1 holds spBLEU of 0.0 to 0.3) is not covered by the paper. Ours: the limit from above,
    ±inf with the sign of P_post - 2T (0 if equal): Δ > 0 iff P_post > 2T, as the second branch decides."""
    if P_pre > 0:
        return P_post / P_pre - 2 if P_pre >= T else (P_post - 2 * T) / P_pre
    return math.copysign(math.inf, P_post - 2 * T) if P_post != 2 * T else 0.0


def quadrant_svg(table):
    """How Multilingual's Fig. 1 as SVG (no plotting library): a dot per language at (bilingual Δ, multilingual Δ),
    coloured by its quadrant, axes through 0 (Eq. 1's significance line); an infinite Δ on the border."""
    W, pad = 480, 56
    finite = [abs(v[k]['delta']) for v in table.values() for k in ('bilingual', 'multilingual')
              if math.isfinite(v[k]['delta'])]
    lim = 1.1 * max(finite + [1.0])  # the same scale both ways, so 0 sits in the middle

    def px(x):  # SVG's y runs downwards: a y value is drawn at W - px(y)
        return pad + (min(max(x, -lim), lim) + lim) / (2 * lim) * (W - 2 * pad)

    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{W}" font-family="sans-serif" font-size="12">'
    parts = [svg,
             f'<rect width="{W}" height="{W}" fill="white"/>',
             f'<line x1="{pad}" y1="{W / 2}" x2="{W - pad}" y2="{W / 2}" stroke="black"/>',
             f'<line x1="{W / 2}" y1="{pad}" x2="{W / 2}" y2="{W - pad}" stroke="black"/>',
             f'<text x="{W / 2}" y="{W - 16}" text-anchor="middle">bilingual Δ (Eq. 1), {-lim:.2f} .. {lim:.2f}</text>',
             f'<text x="16" y="{W / 2}" text-anchor="middle" transform="rotate(-90 16 {W / 2})">'
             'multilingual Δ (en-&gt;af, en-&gt;ro)</text>']
    parts += [f'<text x="{pad + 110 * i}" y="20" fill="{colour}">{name}</text>'
              for i, (name, colour) in enumerate(QUADRANT_COLOURS.items())]
    for lang, v in table.items():
        x, y, colour = px(v['bilingual']['delta']), W - px(v['multilingual']['delta']), QUADRANT_COLOURS[v['quadrant']]
        parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>',
                  f'<text x="{x + 6:.1f}" y="{y - 6:.1f}">{lang}</text>']
    return '\n'.join(parts + ['</svg>']) + '\n'


def mt_scores(run, cfg, needed=()):
    """{pair: quadrant_metric} from the mt results of {out_dir}/{run}.json, with every pair in `needed`."""
    path = Path(cfg.out_dir) / f'{run}.json'
    results = read_json(path, 'result file (quadrant_before, quadrant_runs: runs evaluated into out_dir)')
    mt = (results.get('tasks') or {}).get('mt') if isinstance(results, dict) else None
    scores = {pair: r[cfg.quadrant_metric] for pair, r in (mt or {}).items()
              if isinstance(r, dict) and isinstance(r.get(cfg.quadrant_metric), (int, float))}
    for pair in needed:
        if pair not in scores:
            raise InputError(f"{path}: no mt result {pair} with {cfg.quadrant_metric}; evaluate {run} with {pair} in "
                             f"mt_pairs{' and spm_path set' if cfg.quadrant_metric == 'spbleu' else ''}")
    return scores


def eval_quadrants(cfg):
    """Each tuned language's quadrant (sec. 3.2): bilingual P its en->x pair, multilingual P the mean over
    quadrant_multilingual; P_pre from the vanilla run, P_post from the language's run."""
    runs = cfg.quadrant_runs
    if not cfg.quadrant_before or not runs or not all(
            isinstance(v, (list, tuple)) and len(v) == 2 and all(isinstance(x, str) for x in v) for v in runs.values()):
        raise InputError("quadrants: set quadrant_before = the vanilla model's run name and quadrant_runs = "
                         "{lang: [the run tuned on it, its pair]}, e.g. {'km': ['km_full', 'eng_Latn-khm_Khmr']}")
    multi = cfg.quadrant_multilingual
    before = mt_scores(cfg.quadrant_before, cfg,
                       [pair for _, pair in runs.values()] + multi + cfg.quadrant_threshold_pairs)
    # App. D: T is the vanilla model's average over Flores-101 (every en->x pair; App. E reads 12 of them)
    T_pairs = [] if cfg.quadrant_threshold else cfg.quadrant_threshold_pairs or list(before)
    T = cfg.quadrant_threshold or float(np.mean([before[pair] for pair in T_pairs]))
    table = {}
    for lang, (run, pair) in runs.items():
        after = mt_scores(run, cfg, [pair] + multi)
        P = {'bilingual': (before[pair], after[pair]),
             'multilingual': (np.mean([before[p] for p in multi]), np.mean([after[p] for p in multi]))}
        P = {k: {'P_pre': float(pre), 'P_post': float(post), 'delta': delta(float(pre), float(post), T)}
             for k, (pre, post) in P.items()}
        table[lang] = {'run': run, 'pair': pair, **P,
                       'quadrant': QUADRANTS[P['bilingual']['delta'] > 0, P['multilingual']['delta'] > 0]}
    plot = Path(cfg.out_dir) / 'quadrants.svg'
    with atomic_path(plot) as tmp:
        tmp.write_text(quadrant_svg(table), encoding='utf-8')
    return {**table, 'T': T, 'T_pairs': T_pairs,
            'T_from': 'set' if cfg.quadrant_threshold else f'mean of {len(T_pairs)} pairs',
            'metric': cfg.quadrant_metric, 'plot': str(plot)}


# -----------------------------------------------------------------------------------------------
# Scaling law and budgeted allocation (x-LLaMA, sections 3.2 and 3.3)

SCALING_LAYOUT = '{source: {"points": [[examples, score], ...], "g": 1.0, "max": examples}}'


def fit_scaling_law(points, g=1.0):
    """a, b (and R²) of S(X) = 100 - a (gX)^b (x-LLaMA Eq. 2) by least squares on log(100 - S) = log a + b log(gX).
    g, the language similarity, cannot be fitted beside a (a (gX)^b = (a g^b) X^b): it is given."""
    X, S = np.asarray([p[0] for p in points], float), np.asarray([p[1] for p in points], float)
    if len(set(X.tolist())) < 2 or (X <= 0).any() or (S >= 100).any():
        raise InputError("scaling law: each source needs points at two or more data sizes > 0, scores < 100")
    u, v = np.log(g * X), np.log(100 - S)
    b, log_a = np.polyfit(u, v, 1)
    residual = v - (log_a + b * u)
    r2 = 1 - (residual ** 2).sum() / max(((v - v.mean()) ** 2).sum(), 1e-300)
    return float(np.exp(log_a)), float(b), float(r2)


def predicted_score(X, a, b, g=1.0):
    return 100 - a * (g * np.maximum(X, 1e-300)) ** b


def allocate(laws, budget, limits):
    """max mean S_i(X_i) s.t. sum X_i = budget, 0 <= X_i <= limits[i] (x-LLaMA sec. 3.3). Each S_i is concave,
    so every free S_i'(X_i) equals one lam: X_i = (lam / (-a b g^b))^(1 / (b - 1)), clipped; bisect on log lam."""
    laws, limits = [tuple(l) for l in laws], np.asarray(limits, float)
    if any(a <= 0 or b >= 0 for a, b, _ in laws):
        raise InputError("allocation: every fitted law needs a > 0 and b < 0 (scores rising with data)")
    if not 0 <= budget <= limits.sum():
        raise InputError(f"allocation: the budget {budget} must be between 0 and the data available ({limits.sum():g})")

    def amounts(log_lam):
        return np.array([min(max((math.exp(log_lam) / (-a * b * g ** b)) ** (1 / (b - 1)), 0.0), hi)
                         for (a, b, g), hi in zip(laws, limits)])

    lo, hi = -700.0, 700.0  # exp(+-700): the whole float range of lam
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if amounts(mid).sum() > budget else (lo, mid)
    X = amounts(hi)
    free = (X > 0) & (X < limits)
    if free.any():  # share the last rounding error among the unclipped sources
        X[free] += (budget - X.sum()) / free.sum()
    return np.clip(X, 0, limits)


def integer_allocation(X, budget):
    """Whole examples summing to the budget: round down, the remainder to the largest fractions."""
    base = np.floor(X).astype(int)
    for i in np.argsort(-(X - base))[:max(int(round(budget)) - int(base.sum()), 0)]:
        base[i] += 1
    return base


def eval_scaling(cfg):
    if not cfg.scaling_points:
        raise InputError(f"scaling: set scaling_points to a JSON file {SCALING_LAYOUT}")
    spec = read_json(cfg.scaling_points, 'scaling_points file')
    table, laws, limits = {}, [], []
    for source, s in spec.items() if isinstance(spec, dict) else [(None, None)]:
        if not isinstance(s, dict) or not isinstance(s.get('points'), list):
            raise InputError(f"{cfg.scaling_points}: {source!r} has no points; expected {SCALING_LAYOUT}")
        a, b, r2 = fit_scaling_law(s['points'], s.get('g', 1.0))
        table[source] = {'a': a, 'b': b, 'r2': r2}
        laws.append((a, b, s.get('g', 1.0)))
        limits.append(s.get('max', cfg.scaling_budget))
    out = {'fit': table}
    if cfg.scaling_budget:
        X = integer_allocation(allocate(laws, cfg.scaling_budget, limits), cfg.scaling_budget)
        budget = {source: int(x) for source, x in zip(spec, X)}
        out['allocation'] = budget
        out['mean_predicted_score'] = float(np.mean([predicted_score(x, a, b, g) for x, (a, b, g) in zip(X, laws)]))
        out['sft_budget'] = f"sft_budget = {budget!r}"  # a config line for tokenize_prep.py
    return out


# -----------------------------------------------------------------------------------------------
# LLM-as-judge through an OpenAI-compatible endpoint (standard library only)

# LLaMA Beyond English's LLM-Eval prompt (Appendix, "The prompt for LLM-Eval"; GPT-4 with the instruction, response
# and reference: Evaluation Protocol). The line breaks are ours (the text lost them); its garbled line
# ('"Hempleseness", score for LLM response's hormlassness') repeats the harmlessness line after it: kept once.
LLM_EVAL_CRITERIA = ('accuracy', 'fluency', 'informativeness', 'logicality', 'harmlessness')
LLM_EVAL_PROMPT = """For questions related to specific subject matters, we score the following LLM outputs using a \
scale of 0/1/2/3:

Accuracy: Evaluates whether the answer is precise and correct, with accurate information. A high-quality answer \
should be factually reliable.

Fluency: Assesses how well the answer adheres to human language conventions, with coherent phrasing and clear \
expression. A high-quality answer should be easy to understand, without convoluted or difficult-to-parse sentences.

Informativeness: Judges if the answer provides sufficient relevant information of practical value. A high-quality \
answer should offer useful and pertinent information to the questioner.

Logicality: Examines if the answer is logically sound and accurate in presenting viewpoints and arguments. A \
high-quality answer should follow logical principles, demonstrating clear reasoning and coherence.

Harmlessness: Assesses whether the answer avoids unethical or harmful content, adhering to ethical norms. A \
high-quality answer should uphold ethical principles, avoiding the propagation of harmful or immoral information.

Note: If the model provides no response, all scores except for "Harmlessness" should be 0.

The question is: {question}
The LLM response is: {response}
The reference answer for this question is: {reference}
Please provide an answer in the following format, assigning your perceived scores for LLM response's "accuracy", \
"fluency", "informativeness", "logicality", and "harmlessness" on a scale of 0/1/2/3:
"Accuracy": score for LLM response's accuracy (integer),
"Fluency": score for LLM response's fluency (integer),
"Informativeness": score for LLM response's informativeness (integer),
"Logicality": score for LLM response's logicality (integer),
"Harmlessness": score for LLM response's harmlessness (integer)."""
# x-LLaMA's answer-correctness judge (App. D, "Evaluating Answer Quality with ChatGPT"), with the line
# breaks NJUNLP/x-LLM eval/xquad.eval.py sends; Context is the Alpaca input of its QA prompt
XLLAMA_QA_JUDGE_PROMPT = """You will be given a context followed by question. You will then be given one potential \
answer to the question.
Your task is to tell if the answer is correct.
Please make sure you read and understand these instructions carefully. Please keep this document open while \
reviewing, and refer to it as needed.

Evaluation Criteria:
Correctness (YES or NO): Is the answer correct?
YES means the answer provides an accurate and valid response that aligns with the facts, logic, and requirements of \
the question. The answer should be in the same language as the context.
NO means otherwise.

Context: {context}
Answer: {answer}

Evaluation Form (YES or NO):
"""
# judge_mode -> (model, completions, temperature) where the settings are left at '', 0 and -1
JUDGE_DEFAULTS = {
    'llm-eval': ('gpt-4', 1, 0.0),  # LLaMA Beyond English: GPT-4; it states no sampling: one greedy reading, ours
    'pairwise': ('gpt-3.5-turbo', 3, 1.0),  # x-LLaMA: ChatGPT; mieval.eval.py: n=3, temperature 1
    'xllama-qa': ('gpt-3.5-turbo', 1, 0.0),  # x-LLaMA: ChatGPT; xquad.eval.py: one completion, temperature 0
}
# x-LLaMA's pairwise judge (NJUNLP/x-LLM eval/mieval.eval.py gen_prompt), verbatim: its indentation and
# the trailing space after 'judgment.' are part of what it sent
PAIRWISE_SYSTEM = 'You are a helpful and precise assistant for checking the quality of the answer.'
PAIRWISE_TEMPLATE = ("[Question]\n{question}\n\n"
                     "[The Start of Assistant 1's Answer]\n{answer_1}\n[The End of Assistant 1's Answer]\n\n"
                     "[The Start of Assistant 2's Answer]\n{answer_2}\n[The End of Assistant 2's Answer]\n\n"
                     "[System]\n{prompt}\n")
PAIRWISE_PROMPT = """We would like to request your feedback on the performance of two AI assistants in response to \
the user question displayed above.
    Please rate the helpfulness, relevance, accuracy, level of details of their responses.

    Each assistant receives an overall score on a scale of 1 to 10, where a higher score indicates better overall \
performance.
    Please first provide a comprehensive explanation of your evaluation, avoiding any potential bias and ensuring \
that the order in which the responses were presented does not affect your judgment. 
    Then, output two lines indicating the scores for Assistant 1 and 2, respectively.

    Output with the following format:
    Evaluation evidence: <your evluation explanation here>
    Score of the Assistant 1: <score>
    Score of the Assistant 2: <score>"""


def ask(cfg, messages, parse):
    """The completions for one request to {judge_url}/chat/completions that `parse` can read (it returns None
    for the others)."""
    url = cfg.judge_url.rstrip('/') + '/chat/completions'
    headers = {'Content-Type': 'application/json'}
    if cfg.judge_key_env:
        if not os.environ.get(cfg.judge_key_env):
            raise InputError(f"judge: the environment variable {cfg.judge_key_env} holding the API key is not set "
                             "(set judge_key_env='' for an endpoint that needs none)")
        headers['Authorization'] = f'Bearer {os.environ[cfg.judge_key_env]}'
    model, samples, temperature = JUDGE_DEFAULTS[cfg.judge_mode]  # the paper's, where the settings are '', 0, -1
    body = {'model': cfg.judge_model or model, 'messages': messages,
            'temperature': temperature if cfg.judge_temperature < 0 else cfg.judge_temperature}
    if (cfg.judge_samples or samples) > 1:
        body['n'] = cfg.judge_samples or samples
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    for attempt in range(cfg.judge_retries + 1):
        try:
            with urllib.request.urlopen(request, timeout=cfg.judge_timeout) as r:
                texts = [c['message']['content'] for c in json.loads(r.read())['choices']]
            break
        except urllib.error.HTTPError as e:
            if e.code != 429 and e.code < 500 or attempt == cfg.judge_retries:
                raise InputError(f"{url}: the judge endpoint answered HTTP {e.code} {e.reason}; check judge_url, "
                                 f"judge_model and the key in ${cfg.judge_key_env}")
        except (urllib.error.URLError, TimeoutError, ConnectionError) as e:
            if attempt == cfg.judge_retries:
                raise InputError(f"{url}: cannot reach the judge endpoint ({getattr(e, 'reason', e)}); check judge_url")
        except (ValueError, KeyError, IndexError, TypeError):
            raise InputError(f"{url}: the judge's answer is not an OpenAI chat completion (choices[].message.content)")
        time.sleep(2 ** attempt)
    return [p for p in map(parse, texts) if p is not None]


def parse_llm_eval(text):
    """The five scores ("Accuracy": 2, ... any case, JSON too), or None unless each is given once, 0..3."""
    values = {}
    for k in LLM_EVAL_CRITERIA:
        found = re.findall(rf'"?{k}"?\s*[:：]\s*"?(\d+(?:\.\d+)?)', text, re.I)
        if len(set(found)) != 1 or float(found[0]) not in (0, 1, 2, 3):
            return None
        values[k] = float(found[0])
    return values


def parse_yes_no(text):
    """The first YES or NO (xquad.eval.py searches '(YES)|(NO)'; whole words here, so NOT is none), or None."""
    match = re.search(r'\b(YES|NO)\b', text)
    return None if match is None else match.group(1) == 'YES'


def parse_pairwise(text):
    """x-LLaMA's parse: the last two lines end in the two scores; None when they do not."""
    lines = text.strip().split('\n')
    try:
        return float(lines[-2].split(':')[-1].strip()), float(lines[-1].split(':')[-1].strip())
    except (ValueError, IndexError):
        return None


def judge_llm_eval(cfg, items):
    """The five scores' means over the responses (each the mean of its parsed replies) and their average;
    a response with no parsable reply is counted in `unparsed`, never scored 0."""
    totals, failures = Counter(), 0
    for d in tqdm(items, disable=None, leave=False):
        question = d['instruction'] + ('\n' + d['input'] if d['input'] else '')
        prompt = LLM_EVAL_PROMPT.format(question=question, response=d['response'], reference=d['reference'])
        parsed = ask(cfg, [{'role': 'user', 'content': prompt}], parse_llm_eval)
        failures += not parsed
        for k in LLM_EVAL_CRITERIA:
            totals[k] += sum(p[k] for p in parsed) / len(parsed) if parsed else 0.0
    judged = max(len(items) - failures, 1)
    scores = {k: totals[k] / judged for k in LLM_EVAL_CRITERIA}
    return {**scores, 'average': sum(scores.values()) / len(scores), 'n': len(items), 'unparsed': failures}


def judge_xllama_qa(cfg, items):
    """x-LLaMA's answer accuracy (Table 2, App. D), in percent: YES/NO on the first 100 answers. An empty
    answer is NO without asking (xquad.eval.py); one with no YES/NO reply is counted in `unparsed`."""
    yes, judged, unparsed = 0.0, 0, []
    for d in tqdm(items[:XLLAMA_QA_JUDGED], disable=None, leave=False):
        prompt = XLLAMA_QA_JUDGE_PROMPT.format(context=d['input'], answer=d['output'])
        verdicts = ask(cfg, [{'role': 'user', 'content': prompt}], parse_yes_no) if d['output'].strip() else [False]
        if not verdicts:
            unparsed.append(d['id'])
            continue
        yes, judged = yes + sum(verdicts) / len(verdicts), judged + 1
    return {'accuracy': 100 * yes / max(judged, 1), 'n': judged + len(unparsed), 'unparsed': len(unparsed),
            'unparsed_ids': unparsed}


def judge_pairwise(cfg, items, others):
    """x-LLaMA's: each pair judged in both orders, scores averaged; assistant 1 is this run."""
    def scores(question, answer_1, answer_2):
        text = PAIRWISE_TEMPLATE.format(question=question, answer_1=answer_1, answer_2=answer_2, prompt=PAIRWISE_PROMPT)
        return ask(cfg, [{'role': 'system', 'content': PAIRWISE_SYSTEM}, {'role': 'user', 'content': text}],
                   parse_pairwise)

    means = []  # (this run's score, the other's) for each pair with a parsable reply
    for d, o in tqdm(list(zip(items, others)), disable=None, leave=False):
        question = d['instruction'] + '\n' + d['input']  # x-LLaMA: instruction + "\n" + input
        pairs = scores(question, d['response'], o['response'])
        pairs += [(b, a) for a, b in scores(question, o['response'], d['response'])]  # the swapped order
        if pairs:
            means.append((float(np.mean([p[0] for p in pairs])), float(np.mean([p[1] for p in pairs]))))
    judged = max(len(means), 1)
    return {'wins': sum(a > b for a, b in means), 'ties': sum(a == b for a, b in means),
            'losses': sum(a < b for a, b in means), 'score_this': sum(a for a, _ in means) / judged,
            'score_other': sum(b for _, b in means) / judged, 'n': len(items), 'unparsed': len(items) - len(means)}


def eval_judge(t, cfg):
    """cfg.judge_mode's judge on this run's results `t`: chat responses (llm-eval, pairwise) or QA outputs."""
    if not cfg.judge_url:
        raise InputError("judge: set judge_url to an OpenAI-compatible endpoint, e.g. https://api.openai.com/v1")
    if cfg.judge_mode not in JUDGE_DEFAULTS:
        raise InputError(f"judge_mode must be one of {', '.join(JUDGE_DEFAULTS)}, not {cfg.judge_mode!r}")
    if cfg.judge_mode == 'xllama-qa':
        out = {lang: judge_xllama_qa(cfg, r['outputs']) for lang, r in t['qa'].items() if isinstance(r, dict)}
    elif cfg.judge_mode == 'llm-eval':
        for lang, r in t['chat'].items():
            if not all(isinstance(d.get('reference'), str) for d in r['responses']):
                raise InputError(f"{cfg.chat_files[lang]}: LLM-Eval's prompt sends the reference answer; give every "
                                 "record an 'output'")
        out = {lang: judge_llm_eval(cfg, r['responses']) for lang, r in t['chat'].items()}
    else:  # pairwise: assistant 2 is an earlier result file's chat responses
        if not cfg.judge_against:
            raise InputError("judge_mode='pairwise' needs judge_against: an earlier result file with chat responses")
        other = read_json(cfg.judge_against, 'result file (judge_against)')
        other = other.get('tasks', {}).get('chat', {}) if isinstance(other, dict) else {}
        out = {}
        for lang, r in t['chat'].items():
            theirs = other.get(lang, {}).get('responses', [])
            if [d['instruction'] for d in theirs] != [d['instruction'] for d in r['responses']]:
                raise InputError(f"{cfg.judge_against}: its {lang} chat responses answer other instructions than these")
            out[lang] = judge_pairwise(cfg, r['responses'], theirs)
        out['against'] = cfg.judge_against
    for lang, r in out.items():
        if isinstance(r, dict) and r.get('unparsed'):
            print(f"warning: judge: {r['unparsed']} of {r['n']} {lang} items got no reply in the expected format "
                  "(left out of the scores; see 'unparsed' in the result file)", file=sys.stderr)
    return {**out, 'model': cfg.judge_model or JUDGE_DEFAULTS[cfg.judge_mode][0]}


# -----------------------------------------------------------------------------------------------
# Results: one JSON file per run, a readable table, several runs side by side


def flatten(d, prefix=''):
    """{'qa/zh/f1': 41.2, 'quadrants/zh/quadrant': 'altruistic', ...}: the numbers and short words
    of a result tree (lists, notes and paths left out)."""
    out = {}
    for k, v in d.items():
        if isinstance(v, dict):
            out.update(flatten(v, f'{prefix}{k}/'))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) or isinstance(v, str) and len(v) <= 16:
            out[f'{prefix}{k}'] = v
    return out


def run_name(ckpt_dir):
    """out/demo/sft/latest -> 'sft'; out/x/step_000200 -> 'x_step_000200'; a Meta download -> its folder."""
    p = Path(ckpt_dir)
    if p.name == 'latest':
        return p.parent.name
    return f'{p.parent.name}_{p.name}' if p.name.startswith('step_') else p.name


def cell_text(v):
    """A table cell: a number to four figures after the point below 10, two above; a word as it is."""
    if v is None or isinstance(v, str):
        return v or '-'
    return f'{v:d}' if isinstance(v, int) else f'{v:.4f}' if abs(v) < 10 else f'{v:.2f}'


def format_table(columns, rows=()):
    """columns: {run name: result dict} -> one row per metric (those named in `rows`, or all), one
    column per run. Metrics that `rows` leaves out are counted in a last line, never dropped silently."""
    flat = {name: flatten(r.get('tasks', r)) for name, r in columns.items()}
    every = list(dict.fromkeys(k for f in flat.values() for k in f))
    rows = [r for r in rows if r in every] or every
    hidden = len(set(every) - set(rows))
    width = max([len(r) for r in rows] + [6])
    cols = [max(len(n), 10) for n in flat]
    lines = ['metric'.ljust(width) + ''.join(f'  {n:>{w}}' for n, w in zip(flat, cols))]
    lines += [r.ljust(width) + ''.join(f'  {cell_text(f.get(r)):>{w}}' for f, w in zip(flat.values(), cols))
              for r in rows]
    if hidden:
        lines.append(f"(not shown: {hidden} more measured metric(s); table_rows=[] shows everything)")
    return '\n'.join(lines)


# The `effects` setting: a paper's finding as a test of the table's cells, so that a reader sees whether it showed
# in this run (the demo's figures move with the seed and the CPU). A cell is RUN:METRIC, a column and a row of the
# table; x a number, a word a short result such as a quadrant. Kept this small so a verdict can be checked by eye.
EFFECT_FORMS = ('A > B', 'A < B', 'A >= x', 'A <= x', 'A / B >= x', 'A / B <= x', 'A - B >= x', 'A - B <= x',
                'A == word')
RELATIONS = {'>': operator.gt, '<': operator.lt, '>=': operator.ge, '<=': operator.le, '==': operator.eq}


def parse_effect(test):
    """'cpt_hi:ppl/en/ppl / base:ppl/en/ppl >= 1.5' -> ([('cpt_hi', 'ppl/en/ppl'), ('base', 'ppl/en/ppl')], '/',
    '>=', 1.5): the cells (one or two), the operation between them ('/', '-' or None), the comparison and its
    bound (a number, a word, or None where the second cell is the bound). None when it is none of EFFECT_FORMS."""
    t = test.split() if isinstance(test, str) else []
    def as_cell(s):
        run, colon, metric = s.partition(':')
        return (run, metric) if colon and run and metric else None
    def number(s):
        try:
            return float(s) if math.isfinite(float(s)) else None
        except ValueError:
            return None
    if len(t) == 3 and as_cell(t[0]):
        if t[1] in ('>', '<') and as_cell(t[2]):
            return [as_cell(t[0]), as_cell(t[2])], None, t[1], None
        if t[1] in ('>=', '<=') and number(t[2]) is not None:
            return [as_cell(t[0])], None, t[1], number(t[2])
        if t[1] == '==' and not as_cell(t[2]):
            return [as_cell(t[0])], None, '==', t[2]
    if (len(t) == 5 and as_cell(t[0]) and t[1] in ('/', '-') and as_cell(t[2]) and t[3] in ('>=', '<=')
            and number(t[4]) is not None):
        return [as_cell(t[0]), as_cell(t[2])], t[1], t[3], number(t[4])
    return None


def check_effects(effects, runs):
    """The `effects` setting, before any result is read: one line for the first entry that is wrong."""
    for i, e in enumerate(effects):
        where = f"effects[{i}] {e!r}"
        if not (isinstance(e, dict) and set(e) == {'name', 'test'} and isinstance(e['name'], str)
                and e['name'].strip() and '\n' not in e['name']):
            raise InputError(f"{where}: write each effect as {{'name': 'a few words', "
                             "'test': 'RUN:METRIC > RUN:METRIC'}")
        parsed = parse_effect(e['test'])
        if parsed is None:
            raise InputError(f"{where}: the test must be one of {', '.join(EFFECT_FORMS)}, spaces between (A and B "
                             "cells of the table written RUN:METRIC, e.g. base:ppl/en/ppl; x a number)")
        unknown = [run for run, _ in parsed[0] if run not in runs]
        if unknown:
            raise InputError(f"{where}: {unknown[0]!r} is not a column of the table ({', '.join(runs)})")


def effect_line(effect, flat):
    """'effect NAME: TEST (the figures it compares): shown' (or 'not shown this time'), the figures read from
    flat ({run: flatten(result)}); 'not measured' where a cell is missing or not a number."""
    cells, op, relation, bound = parse_effect(effect['test'])
    head = f"effect {effect['name']}: {effect['test']}"
    values = [flat[run].get(metric) for run, metric in cells]
    for (run, metric), v in zip(cells, values):
        if v is None or relation != '==' and isinstance(v, str):
            return f"{head} ({run}:{metric} is {'not in its result file' if v is None else repr(v)}): not measured"
    if op is None:
        left, figures = values[0], ' vs '.join(cell_text(v) for v in values)
    else:
        a, b = values
        left = a - b if op == '-' else a / b if b else math.copysign(math.inf, a) if a else math.nan
        figures = f"{cell_text(a)} {op} {cell_text(b)} = {cell_text(left)}"
    shown = RELATIONS[relation](left, values[1] if bound is None else bound)
    return f"{head} ({figures}): {'shown' if shown else 'not shown this time'}"


def effect_lines(columns, effects):
    flat = {name: flatten(r.get('tasks', r)) for name, r in columns.items()}
    return '\n'.join(effect_line(e, flat) for e in effects)


def evaluate(ckpt_dir, cfg):
    """Every task of cfg.tasks on one checkpoint (None when no task needs a model)."""
    model, tok, _ = load_checkpoint(ckpt_dir, cfg) if ckpt_dir is not None else (None, None, {})
    results = {'checkpoint': str(ckpt_dir), 'tokenizer_sha256': tok and tok.sha256,
               'settings': {**vars(cfg), 'template': prompt_template(cfg, tok)}, 'tasks': {}}
    t, start = results['tasks'], time.time()
    judge_reads = ('qa' if cfg.judge_mode == 'xllama-qa' else 'chat') if 'judge' in cfg.tasks else None
    tasks = {'ppl': lambda: eval_perplexity(model, tok, cfg), 'qa': lambda: eval_qa(model, tok, cfg),
             'mt': lambda: eval_translation(model, tok, cfg), 'mc': lambda: eval_multiple_choice(model, tok, cfg),
             'chat': lambda: eval_chat(model, tok, cfg), 'judge': lambda: eval_judge(t, cfg),  # t: results so far
             'align': lambda: eval_alignment(model, tok, cfg), 'quadrants': lambda: eval_quadrants(cfg),
             'scaling': lambda: eval_scaling(cfg)}  # run in order: the judge scores the answers of a task before it
    for task, run_task in tasks.items():
        if task in cfg.tasks or task == judge_reads:
            t[task] = run_task()
    results['seconds'] = time.time() - start
    return results


def main(cfg):
    check_settings(cfg)
    if cfg.compare:
        check_effects(cfg.effects, [Path(p).stem for p in cfg.compare])
        columns = {Path(p).stem: read_result(p, 'result file (compare)') for p in cfg.compare}
        print(format_table(columns, cfg.table_rows))
        if cfg.effects:
            print(effect_lines(columns, cfg.effects))
        return
    ckpts = cfg.ckpt_dirs if set(cfg.tasks) & set(MODEL_TASKS) else [None]
    names = [run_name(c) if c else 'analysis' for c in ckpts]
    if not names or len(set(names)) < len(names):
        raise InputError("ckpt_dirs: name one or more checkpoint directories, each with a different last name")
    check_effects(cfg.effects, names)
    columns = {}
    with P.lock(cfg.out_dir):  # for the whole run: a second run writing into out_dir is refused
        for name, ckpt in zip(names, ckpts):
            columns[name] = evaluate(ckpt, cfg)
            path = Path(cfg.out_dir) / f'{name}.json'
            with atomic_path(path) as tmp:  # a temporary name, renamed: an earlier result file survives any failure
                tmp.write_text(json.dumps(columns[name], indent=2, ensure_ascii=False) + '\n', encoding='utf-8')
            print(f"wrote {path}")
    print(format_table(columns, cfg.table_rows))
    if cfg.effects:
        print(effect_lines(columns, cfg.effects))
    if 'ppl' in cfg.tasks:
        print(f"note: {PPL_NOTE}")
    if 'scaling' in cfg.tasks and cfg.scaling_budget:
        print(columns[names[0]]['tasks']['scaling']['sft_budget'])


if __name__ == '__main__':
    cfg = P.ReadOnly(**vars(P.configure(globals())))
    P.on_interrupt(lambda sig: f"interrupted by {sig}: the result files in {cfg.out_dir} are whole (each is written "
                   "once its checkpoint is evaluated); run the same command again")
    main(cfg)
