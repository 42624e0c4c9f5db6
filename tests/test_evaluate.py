"""evaluate.py against the reference scorers: sacrebleu for BLEU and chrF, transformers for
perplexity and hidden states, the SQuAD v1.1 and MLQA definitions for EM and F1, brute-force
log-likelihoods for multiple choice and a naive beam search; a stub OpenAI endpoint for the judge;
bad input; and results that a failed run cannot overwrite."""
import base64
import http.server
import json
import math
import subprocess
import sys
import threading
from types import SimpleNamespace

import numpy as np
import pytest
import sacrebleu
import torch
import torch.nn.functional as F

import evaluate as E
import model as M
import plumbing as P
from conftest import ROOT, asset, random_model, tiny_args, write_checkpoint
from test_model import to_hf


def settings(**kw):
    """evaluate.py's defaults, as configure() would return them, with some overridden."""
    cfg = P.configure(vars(E), [])
    for k, v in kw.items():
        assert hasattr(cfg, k), k
        setattr(cfg, k, v)
    return P.ReadOnly(**vars(cfg))  # as main() gets it: any assignment in evaluate.py fails the test


@pytest.fixture(scope='module')
def tiny(sp_tokenizer, tmp_path_factory):
    """A random 2-layer LLaMA as a Meta checkpoint with the 300-piece SentencePiece tokenizer."""
    args = tiny_args(max_seq_len=512)
    model = random_model(args).eval()
    ckpt = write_checkpoint(tmp_path_factory.mktemp('ckpt') / 'tiny', args, model.state_dict(), sp_tokenizer)
    loaded, tok = M.load(ckpt, max_seq_len=512)
    return SimpleNamespace(args=args, model=loaded.eval(), tok=tok, ckpt=ckpt, state=M.meta_state_dict(model.state_dict()))


# ---------------------------------------------------------------- QA: EM, F1, match

def test_squad_normalisation_edge_cases():
    # SQuAD v1.1: lower-case, ASCII punctuation out, English articles out, whitespace collapsed
    assert E.exact_match('The  Eiffel Tower!', 'eiffel tower', 'en', 'squad') == 1.0
    assert E.exact_match('«Paris»', 'Paris', 'en', 'squad') == 0.0  # « » are not ASCII punctuation
    assert E.f1_score('the cat sat', 'a cat sat down', 'en', 'squad') == pytest.approx(2 * 1 * (2 / 3) / (1 + 2 / 3))
    assert E.f1_score('', 'cat', 'en', 'squad') == 0.0 and E.f1_score('the', 'a', 'en', 'squad') == 0.0


def test_mlqa_normalisation_edge_cases():
    assert E.exact_match('«Paris»', 'Paris', 'en') == 1.0  # Unicode punctuation goes
    assert E.exact_match('la casa', 'casa', 'es') == 1.0  # Spanish articles
    assert E.exact_match('der Hund', 'Hund', 'de') == 1.0 and E.exact_match('der Hund', 'Hund', 'en') == 0.0
    assert E.exact_match('ein Hund', 'Hund', 'de') == 1.0
    # Chinese: each character is a token, so a partial answer earns partial F1; punctuation goes
    assert E.normalize_answer('北京市，中国', 'zh') == '北 京 市 中 国'
    assert E.f1_score('北京市', '北京', 'zh') == pytest.approx(2 * (2 / 3) * 1 / (2 / 3 + 1))
    assert E.f1_score('北京市', '北京', 'en') == 0.0  # on whitespace, one token against another
    # Latin text inside Chinese stays whole words; Hindi has no articles and keeps 'a'
    assert E.normalize_answer('NBA总决赛', 'zh') == 'nba 总 决 赛'
    assert E.normalize_answer('a दिल्ली।', 'hi') == 'a दिल्ली'  # the danda is punctuation
    assert E.normalize_answer('the ال كتاب', 'ar') == 'the كتاب'


def test_best_gold_answer_and_xllama_match():
    s = E.qa_scores(['Paris.', 'in 1990'], [['Lyon', 'Paris'], ['nineteen ninety', '1990']], 'en')
    assert s['em'] == 50.0  # 'in 1990' is not exactly '1990'
    assert s['f1'] == pytest.approx(100 * (1 + 2 * 0.5 * 1 / 1.5) / 2)
    assert s['match'] == 100.0  # both contain a gold answer
    assert E.substring_match('The answer is PARIS.', 'paris ') == 1.0


def test_unanswerable_questions_score_as_squad_v2():
    # IndicQA / SQuAD v2.0: no answers -> gold ''; evaluate-v2.0.py: EM = normalised strings equal,
    # F1 = 1 when both token lists are empty, 0 when only one is
    assert E.exact_match('', '', 'hi') == 1.0 and E.f1_score('', '', 'hi') == 1.0
    assert E.f1_score('the', '', 'en', 'squad') == 1.0  # 'the' normalises to nothing: an empty answer
    assert E.exact_match('दिल्ली', '', 'hi') == 0.0 and E.f1_score('दिल्ली', '', 'hi') == 0.0
    s = E.qa_scores(['', 'दिल्ली', 'दिल्ली'], [[''], [''], ['दिल्ली']], 'hi')
    assert s['em'] == s['f1'] == s['match'] == pytest.approx(200 / 3)  # match: '' occurs in every output


def test_read_squad_accepts_unanswerable_questions(tmp_path):
    qa = {'data': [{'paragraphs': [{'context': 'c', 'qas': [
        {'id': '1', 'question': 'q', 'answers': []},
        {'id': '2', 'question': 'q', 'answers': [{'text': '', 'answer_start': -1}]},
        {'id': '3', 'question': 'q', 'answers': [{'text': 'c', 'answer_start': 0}]}]}]}]}
    (tmp_path / 'indicqa.json').write_text(json.dumps(qa))
    assert [it['answers'] for it in E.read_squad(tmp_path / 'indicqa.json')] == [[''], [''], ['c']]


def test_commit_harness_prompts():
    # thnkinbtfly/COMMIT lm-evaluation-harness opengptx/xquad.py: BACKGROUND + "\n\n" + context + "\n\n" +
    # QUESTION + question + "\n\n" + ANSWER, with XQuADTh's labels; ogx_xquad_enth keeps the English ones
    item = {'context': 'บริบท', 'question': 'คำถามหนึ่ง?', 'answers': ['x']}
    assert E.qa_prompt_text(item, 'th', 'commit') == 'พื้นหลัง:\n\nบริบท\n\nคำถาม:คำถามหนึ่ง?\n\nตอบ:'
    assert E.qa_prompt_text(item, 'th', 'commit-en') == 'Background:\n\nบริบท\n\nQuestion:คำถามหนึ่ง?\n\nAnswer:'
    with pytest.raises(E.InputError, match="qa_prompt='commit-en'"):
        E.qa_prompt_text(item, 'ta', 'commit')


def test_match_reads_the_whole_output_em_and_f1_the_first_line(tiny, monkeypatch):
    """x-LLaMA's match sees everything generated; EM/F1 the short answer. COMMIT's harness prompt is
    encoded without BOS and stops at a newline."""
    output = 'The bakers.\n They open at dawn.'  # as the tokenizer decodes the pieces below
    seen = []

    def fake_generate(model, prompts, max_new, stops, batch_size, beam=1):
        seen.append((prompts, stops))
        nl = tiny.tok.sp.piece_to_id('<0x0A>')  # SentencePiece's normaliser would turn a '\n' in text into a space
        return [[*tiny.tok.encode('The bakers.', bos=False, eos=False), nl,
                 *tiny.tok.encode('They open at dawn.', bos=False, eos=False)]] * len(prompts)
    monkeypatch.setattr(E, 'generate_batched', fake_generate)
    item = {'id': 'q1', 'context': 'The bakers open their shops at dawn.', 'question': 'When?', 'answers': ['at dawn']}
    monkeypatch.setattr(E, 'read_squad', lambda path: [item])
    r = E.eval_qa(tiny.model, tiny.tok, settings(qa_files={'en': 'x.json'}, qa_prompt='native', template='alpaca'))
    assert r['en']['match'] == 100.0 and r['en']['em'] == 0.0 and r['en']['f1'] == 0.0
    assert r['en']['outputs'] == [{'id': 'q1', 'output': output,
                                   'input': 'Context: The bakers open their shops at dawn.\nQuestion: When?\nAnswer: '}]
    assert seen[0][1] == tiny.tok.stop_tokens and seen[0][0][0][0] == tiny.tok.bos_id
    E.eval_qa(tiny.model, tiny.tok, settings(qa_files={'en': 'x.json'}, qa_prompt='commit', template='alpaca'))
    assert seen[1][1] == E.newline_stops(tiny.tok)
    assert seen[1][0][0] == tiny.tok.encode(E.qa_prompt_text(item, 'en', 'commit'), bos=False, eos=False)


def test_xllama_prompts(tiny):
    item = {'context': ' 北京是首都。 ', 'question': '首都是哪里？\n', 'answers': ['北京']}
    text = E.qa_prompt_text(item, 'zh', 'native')
    assert text == M.format_prompt('请根据以下段落，回答问题', '段落: 北京是首都。\n问题: 首都是哪里？\n答案: ')
    assert 'Context: 北京是首都。\nQuestion: 首都是哪里？\nAnswer: ' in E.qa_prompt_text(item, 'zh', 'english')
    with pytest.raises(E.InputError, match="qa_prompt='english'"):
        E.qa_prompt_text(item, 'bn', 'native')


def test_real_xquad_reads_and_prompt(tiny):
    items = E.read_squad(asset('xquad/xquad.zh.json'))
    assert len(items) == 1190 and all(it['answers'] for it in items)
    assert E.qa_prompt_text(items[0], 'zh', 'native').count('段落: ') == 1


@pytest.mark.parametrize('data, message', [
    ('{"data": [', 'not valid JSON'),
    ('{"version": "1.1"}', "the top level has no 'data'"),
    ('{"data": [{"paragraphs": [{"qas": []}]}]}', "data\\[0\\].paragraphs\\[0\\] has no 'context'"),
    ('{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "1", "question": "q"}]}]}]}', "qas\\[0\\] has no 'answers'"),
    ('{"data": [{"paragraphs": [{"context": "c", "qas": [{"id": "1", "question": "q", "answers": [{}]}]}]}]}',
     "answers\\[0\\] has no 'text'"),
])
def test_malformed_squad_is_a_clear_error(tmp_path, data, message):
    (tmp_path / 'qa.json').write_text(data)
    with pytest.raises(E.InputError, match=message) as e:
        E.read_squad(tmp_path / 'qa.json')
    assert str(tmp_path / 'qa.json') in str(e.value) and '\n' not in str(e.value)


# ---------------------------------------------------------------- BLEU, chrF and spBLEU are sacrebleu's

def test_translation_scores_are_sacrebleus(tiny, sp_tokenizer, tmp_path, monkeypatch):
    """The mt task scores what the model wrote against the FLORES lines as sacrebleu's command line
    would: -tok zh for a Chinese target, 13a otherwise; spBLEU is BLEU on the FLORES SentencePiece
    pieces (sacrebleu's flores101/200 tokenizers) with tokenize='none'."""
    refs = {'eng_Latn': ['The cat sat on a mat.', 'It costs $3,000.50 - or 3-4 euros.'],
            'zho_Hans': ['这是测试。“你好”', '他说：Hello world!']}
    hyps = {'eng_Latn': ['The cat sat on the mat.', 'It costs $3,000.50 -- or 3-4 euros!'],
            'zho_Hans': ['这是一个测试。“你好”', '他说：Hello, world!']}
    for code, lines in refs.items():
        (tmp_path / f'{code}.devtest').write_text('\n'.join(lines) + '\n')
    pairs = {'eng_Latn-zho_Hans': 'zh', 'zho_Hans-eng_Latn': '13a'}
    queue = [hyps[pair.split('-')[1]] for pair in pairs]
    monkeypatch.setattr(E, 'generate_batched', lambda *a: [tiny.tok.encode(h, bos=False, eos=False)
                                                           for h in queue.pop(0)])
    cfg = settings(flores_dir=str(tmp_path), mt_pairs=list(pairs), template='alpaca', spm_path=str(sp_tokenizer))
    r = E.eval_translation(tiny.model, tiny.tok, cfg)
    sp = E.load_spm(sp_tokenizer)
    assert E.spm_pieces(sp, ['The quick fox.']) == [' '.join(sp.EncodeAsPieces('The quick fox.'))]
    for pair, tokenize in pairs.items():
        out, ref = r[pair]['samples'], refs[pair.split('-')[1]]
        assert r[pair]['tokenize'] == tokenize and 0 < r[pair]['bleu'] < 100
        assert r[pair]['bleu'] == pytest.approx(sacrebleu.corpus_bleu(out, [ref], tokenize=tokenize).score, abs=1e-6)
        assert r[pair]['chrf'] == pytest.approx(sacrebleu.corpus_chrf(out, [ref]).score, abs=1e-6)
        pieces = E.spm_pieces(sp, out), [E.spm_pieces(sp, ref)]
        assert r[pair]['spbleu'] == pytest.approx(sacrebleu.corpus_bleu(*pieces, tokenize='none').score, abs=1e-6)


def test_flores_files_of_different_lengths(tmp_path):
    (tmp_path / 'eng_Latn.devtest').write_text('one\ntwo\nthree\n')
    (tmp_path / 'hin_Deva.devtest').write_text('एक\nदो\n')
    with pytest.raises(E.InputError, match='has 3 lines but .* has 2'):
        E.read_flores(tmp_path, 'eng_Latn-hin_Deva')
    with pytest.raises(E.InputError, match='No such file'):
        E.read_flores(tmp_path, 'eng_Latn-zho_Hans')


def test_every_named_language_has_one_flores_code_and_back():
    import tokenize_prep as T
    flores = [code for _, code in T.LANGUAGES.values()]
    assert len(set(flores)) == len(flores) and all(E.iso_code(code) == iso for iso, (_, code) in T.LANGUAGES.items())


def test_translation_prompt_is_xllamas_first_instruction():
    assert E.translation_prompt('eng_Latn', 'hin_Deva', 'The river runs.') == M.format_prompt(
        'Translate the following sentences from English to Hindi.', 'The river runs.')
    assert 'from Chinese to German.' in E.translation_prompt('zho_Hans', 'de', 'x')
    with pytest.raises(E.InputError, match='tokenize_prep.LANGUAGES'):
        E.translation_prompt('xxx_Latn', 'eng_Latn', 'x')
    assert E.bleu_tokenizer('zho_Hans') == 'zh' and E.bleu_tokenizer('hin_Deva') == '13a'


# ---------------------------------------------------------------- perplexity equals transformers'

def hf_logprob_sum(hf, ids):
    with torch.no_grad():
        logp = F.log_softmax(hf(torch.tensor([ids])).logits[0].double(), -1)
    return sum(logp[t - 1, ids[t]].item() for t in range(1, len(ids)))


def test_perplexity_equals_transformers(tiny, tmp_path):
    hf = to_hf(tiny.args, tiny.state)
    lines = ['The quick brown fox jumps over the lazy dog.', 'A river runs through the old town, and the bakers open.', '12 and 345']
    (tmp_path / 'val.txt').write_text('\n'.join(lines) + '\n\n')
    docs = E.read_documents(tmp_path / 'val.txt', tiny.tok)
    r = E.perplexity(tiny.model, docs, window=512, stride=256, batch_size=2)
    ids = [tiny.tok.encode(line, bos=True, eos=False) for line in lines]
    nll = -sum(hf_logprob_sum(hf, d) for d in ids)
    n_tokens = sum(len(d) - 1 for d in ids)
    assert r['tokens'] == n_tokens and r['documents'] == 3
    assert r['nll_per_token'] == pytest.approx(nll / n_tokens, abs=1e-5)
    assert r['ppl'] == pytest.approx(math.exp(nll / n_tokens), rel=1e-5)
    assert r['bytes'] == sum(len(line.encode()) for line in lines)
    assert r['bits_per_byte'] == pytest.approx(nll / math.log(2) / r['bytes'], rel=1e-5)


def test_long_documents_in_strided_windows(tiny):
    for n, window, stride in ((100, 40, 20), (100, 40, 39), (41, 40, 7), (40, 40, 20), (5, 40, 20)):
        scored = [t for _, first, end in E.ppl_windows(n, window, stride) for t in range(first, end)]
        assert scored == list(range(1, n))  # every token but BOS, exactly once, in order
        assert all(end - start <= window for start, _, end in E.ppl_windows(n, window, stride))
    # windowed scores equal transformers on the same windows (each new token sees >= window - stride context)
    hf = to_hf(tiny.args, tiny.state)
    ids = tiny.tok.encode(' '.join(['The quick brown fox jumps over the lazy dog.'] * 6), bos=True, eos=False)
    window, stride = 32, 12
    expected = 0.0
    for start, first, end in E.ppl_windows(len(ids), window, stride):
        with torch.no_grad():
            logp = F.log_softmax(hf(torch.tensor([ids[start:end]])).logits[0].double(), -1)
        expected += sum(logp[t - start - 1, ids[t]].item() for t in range(first, end))
    r = E.perplexity(tiny.model, [(ids, 1, 1)], window, stride, batch_size=3)
    assert len(ids) > 2 * window and r['tokens'] == len(ids) - 1
    assert r['nll_per_token'] * r['tokens'] == pytest.approx(-expected, abs=1e-4)


def test_shard_input_equals_text_input(tiny, tmp_path):
    import tokenize_prep
    lines = ['The quick brown fox.', 'A river runs through the old town.']
    (tmp_path / 'val.txt').write_text('\n'.join(lines))
    ids = [t for line in lines for t in tiny.tok.encode(line, bos=True, eos=False)]
    tokenize_prep.write_shard(tmp_path / 'val.bin', np.array(ids, dtype=np.uint16))
    assert E.read_documents(tmp_path / 'val.bin', tiny.tok) == E.read_documents(tmp_path / 'val.txt', tiny.tok)


# ---------------------------------------------------------------- multiple choice against brute force

def write_mc(root):
    rows = {'abstract_algebra': [('What is 2+2?', '3', '4', '5', '6', 'B'), ('Is x a group?', 'yes', 'no', 'maybe', 'never', 'A'),
                                 ('Order of Z5?', '1', '2', '5', '10', 'C'), ('Pick D.', 'a', 'b', 'c', 'd', 'D')],
            'world_history': [('Who built the old town?', 'bakers', 'a river', 'the fox', 'the dog', 'A'),
                              ('When was 1990?', '1990', '1880', '12', '345', 'A'), ('A, B, C or D?', 'A', 'B', 'C', 'D', 'C'),
                              ('Which runs?', 'the town', 'the river', 'the shop', 'dawn', 'B'), ('Numbers?', '12', '345', 'both', 'none', 'C')]}
    for split, part in (('dev', slice(0, 2)), ('test', slice(2, None))):
        (root / split).mkdir(parents=True, exist_ok=True)
        for subject, r in rows.items():
            lines = [','.join(f'"{c}"' for c in row) for row in r[part]]
            (root / split / f'{subject}_{split}.csv').write_text('\n'.join(lines) + '\n')
    return rows


def test_multiple_choice_equals_brute_force_loglikelihood(tiny, tmp_path):
    rows = write_mc(tmp_path)
    cfg = settings(mc_dir=str(tmp_path), mc_shots=2, batch_size=3)
    result = E.eval_multiple_choice(tiny.model, tiny.tok, cfg)
    # brute force: the harness prompt written out here, every choice scored in its own forward pass
    brute, golds = [], []
    for subject, r in rows.items():
        text = lambda q: f"{q[0]}\nA. {q[1]}\nB. {q[2]}\nC. {q[3]}\nD. {q[4]}\nAnswer:"  # noqa: E731
        head = f"The following are multiple choice questions (with answers) about {subject.replace('_', ' ')}.\n\n"
        shots = ''.join(f"{text(q)} {q[5]}\n\n" for q in r[:2])
        for q in r[2:]:
            context = head + shots + text(q)
            n_ctx = len(tiny.tok.encode(context, bos=True, eos=False))
            scores = []
            for letter in 'ABCD':
                ids = tiny.tok.encode(context + ' ' + letter, bos=True, eos=False)
                with torch.no_grad():
                    logp = F.log_softmax(tiny.model(torch.tensor([ids]))[0].double(), -1)
                scores.append(sum(logp[t - 1, ids[t]] for t in range(n_ctx, len(ids))).item())
            brute.append(scores)
            golds.append('ABCD'.index(q[5]))
    doc = lambda q: dict(question=q[0], choices=list(q[1:5]), answer='ABCD'.index(q[5]))  # noqa: E731
    questions = [(s, *E.kshot_prompt('mmlu', s.replace('_', ' '), [doc(x) for x in r[:2]], doc(q)), doc(q)['answer'])
                 for s, r in rows.items() for q in r[2:]]
    _, ll = E.mc_accuracy(tiny.model, tiny.tok, questions, 3)
    assert np.allclose(ll, brute, atol=1e-4)
    correct = np.argmax(brute, 1) == np.array(golds)
    assert result['acc'] == pytest.approx(100 * correct.mean()) and result['n'] == 5
    assert result['subjects']['abstract algebra']['n'] == 2 and result['subjects']['world history']['n'] == 3


def test_ceval_prompt_and_csv_header(tmp_path):
    (tmp_path / 'x_val.csv').write_text('id,question,A,B,C,D,answer,explanation\n0,"1+1=?",1,2,3,4,B,因为\n')
    doc = E.read_mc_csv(tmp_path / 'x_val.csv')[0]
    assert doc == {'question': '1+1=?', 'choices': ['1', '2', '3', '4'], 'answer': 1}
    prompt, conts = E.kshot_prompt('ceval', '数学', [doc], doc)
    assert prompt == ('以下是中国关于数学考试的单项选择题，请选出其中的正确答案。\n\n'
                      '1+1=?\nA. 1\nB. 2\nC. 3\nD. 4\n答案：B\n\n1+1=?\nA. 1\nB. 2\nC. 3\nD. 4\n答案：') and conts == list('ABCD')
    (tmp_path / 'bad_test.csv').write_text('q,1,2,3,4,E\n')
    with pytest.raises(E.InputError, match='line 1: expected question, A, B, C, D and an answer letter'):
        E.read_mc_csv(tmp_path / 'bad_test.csv')


def brute_choice_scores(tiny, context, conts):
    """log p(continuation | context) for each choice, one forward pass each, split as the harness splits."""
    n_ctx = len(tiny.tok.encode(context, bos=True, eos=False))
    out = []
    for c in conts:
        ids = tiny.tok.encode(context + c, bos=True, eos=False)
        with torch.no_grad():
            logp = F.log_softmax(tiny.model(torch.tensor([ids]))[0].double(), -1)
        out.append(sum(logp[t - 1, ids[t]] for t in range(n_ctx, len(ids))).item())
    return out


def test_agieval_and_gaokao_zero_shot(tiny, tmp_path):
    agi = tmp_path / 'agieval'
    agi.mkdir()
    rows = {'lsat-ar': [{'passage': 'Five runners race. ', 'question': 'Who wins?', 'label': 'B', 'answer': None,
                         'options': ['(A)Ann', '(B)Bo', '(C)Cy', '(D)Di', '(E)Ed']}],
            'gaokao-history': [{'passage': None, 'question': '汉朝建立于', 'label': 'D', 'answer': None,
                                'options': ['(A)公元前2世纪初', '(B)公元前2世纪末', '(C)公元前3世纪初', '(D)公元前3世纪末']}],
            'jec-qa-kd': [{'passage': None, 'question': '多选', 'options': ['(A)x', '(B)y', '(C)z', '(D)w'],
                           'label': ['A', 'C'], 'answer': None}],  # several answers: left out
            'math': [{'passage': None, 'question': '1+1?', 'options': None, 'label': None, 'answer': '2'}]}  # cloze
    for name, r in rows.items():
        (agi / f'{name}.jsonl').write_text(''.join(json.dumps(d, ensure_ascii=False) + '\n' for d in r))
    # AGI-Eval's convert_zero_shot, written out by hand
    en = ("Five runners race. Q: Who wins? Answer Choices: (A)Ann (B)Bo (C)Cy (D)Di (E)Ed\n"
          "A: Among A through E, the answer is")
    zh = "问题：汉朝建立于 选项：(A)公元前2世纪初 (B)公元前2世纪末 (C)公元前3世纪初 (D)公元前3世纪末\n答案：从A到D, 我们应选择"
    assert E.read_agieval(agi / 'lsat-ar.jsonl') == ([(en, [' A', ' B', ' C', ' D', ' E'], 1)], 0)
    assert E.read_agieval(agi / 'gaokao-history.jsonl') == ([(zh, list('ABCD'), 3)], 0)
    assert E.read_agieval(agi / 'jec-qa-kd.jsonl') == ([], 1)
    r = E.eval_multiple_choice(tiny.model, tiny.tok, settings(mc_dir=str(agi), mc_format='agieval', mc_shots=0))
    brute = [brute_choice_scores(tiny, en, [' A', ' B', ' C', ' D', ' E']), brute_choice_scores(tiny, zh, list('ABCD'))]
    correct = [np.argmax(brute[0]) == 1, np.argmax(brute[1]) == 3]
    assert r['n'] == 2 and r['left_out'] == 1 and r['shots'] == 0 and r['acc'] == pytest.approx(50.0 * sum(correct))
    assert r['subjects']['lsat-ar']['acc'] == 100.0 * correct[0]
    # GAOKAO-Bench: options inside the question, one-letter answers only
    gk = tmp_path / 'gaokao'
    gk.mkdir()
    (gk / '2010-2022_History_MCQs.json').write_text(json.dumps({'keywords': '2010-2022_History_MCQs', 'example': [
        {'question': '1．汉朝建立于（　　）\nA．甲  B．乙\nC．丙  D．丁\n', 'answer': ['C'], 'index': 0},
        {'question': '2．七选五', 'answer': ['A', 'F'], 'index': 1}]}, ensure_ascii=False))
    prompt = '1．汉朝建立于（　　）\nA．甲  B．乙\nC．丙  D．丁\n答案：'
    assert E.read_gaokao(gk / '2010-2022_History_MCQs.json') == ([(prompt, list('ABCD'), 2)], 1)
    g = E.eval_multiple_choice(tiny.model, tiny.tok, settings(mc_dir=str(gk), mc_format='gaokao', mc_shots=0))
    assert g['n'] == 1 and g['left_out'] == 1
    assert g['acc'] == 100.0 * (np.argmax(brute_choice_scores(tiny, prompt, list('ABCD'))) == 2)
    with pytest.raises(E.InputError, match='zero-shot; set mc_shots=0'):
        E.eval_multiple_choice(tiny.model, tiny.tok, settings(mc_dir=str(gk), mc_format='gaokao', mc_shots=5))
    (agi / 'bad.jsonl').write_text('{"question": "q"}\n')
    with pytest.raises(E.InputError, match='bad.jsonl line 1: expected AGI-Eval'):
        E.eval_multiple_choice(tiny.model, tiny.tok, settings(mc_dir=str(agi), mc_format='agieval', mc_shots=0))


# ---------------------------------------------------------------- generation: batched, beam search

def test_batched_generation_equals_one_at_a_time(tiny):
    prompts = [[1, 5, 9, 14, 20, 3, 7, 7], [1, 7], [1, 8, 8, 8], [1, 30, 31], [1] + [40] * 12]
    alone = [M.generate(tiny.model, [p], 6)[0] for p in prompts]
    assert E.generate_batched(tiny.model, prompts, 6, (), batch_size=2) == alone


def naive_beam(model, prompt, K, max_new, stops):
    """Beam search written the slow way: a full forward pass per beam per step, no cache, no padding."""
    alive, ended = [(0.0, [])], []
    for t in range(max_new):
        cands = []
        for s, g in alive:
            with torch.no_grad():
                logp = F.log_softmax(model(torch.tensor([prompt + g]))[0, -1].float(), -1)
            top = logp.topk(2 * K)  # the best 2K overall are among each beam's best 2K
            cands += [(s + lp, g, v) for lp, v in zip(top.values.tolist(), top.indices.tolist())]
        cands.sort(key=lambda c: -c[0])
        new = []
        for rank, (s, g, v) in enumerate(cands[:2 * K]):
            if v in stops:
                if rank < K:
                    ended.append((s / max(len(g), 1), g))
            elif len(new) < K:
                new.append((s, g + [v]))
        ended = sorted(ended, key=lambda e: -e[0])[:K]
        if not new or len(ended) == K and ended[-1][0] >= new[0][0] / (t + 1):
            break
        alive = new
    else:
        ended = sorted(ended + [(s / len(g), g) for s, g in alive], key=lambda e: -e[0])
    return ended[0][1]


def test_beam_search_equals_naive_and_batches(tiny):
    prompts = [[1, 5, 9, 14, 20, 3], [1, 7], [1, 8, 8, 8, 2, 11, 13]]
    greedy = [M.generate(tiny.model, [p], 8)[0] for p in prompts]
    assert E.beam_search(tiny.model, prompts, 1, 8, ()) == greedy  # one beam is greedy search
    stops = (greedy[0][2], greedy[1][1])  # tokens the beams will meet
    batched = E.beam_search(tiny.model, prompts, 3, 6, stops)
    assert batched == [E.beam_search(tiny.model, [p], 3, 6, stops)[0] for p in prompts]
    assert batched == [naive_beam(tiny.model, p, 3, 6, set(stops)) for p in prompts]
    assert E.generate_batched(tiny.model, prompts, 6, stops, batch_size=2, beam=3) == batched


def test_newline_stops(tiny):
    stops = E.newline_stops(tiny.tok)
    assert tiny.tok.sp.piece_to_id('<0x0A>') in stops and tiny.tok.eos_id in stops
    assert E.first_line(' Paris.\nQuestion: more') == 'Paris.' and E.first_line('\nParis') == ''


def test_newline_stops_of_an_extended_tiktoken_vocabulary(tiktoken_file, tmp_path):
    """An extended Llama 3 file ranks its new tokens after the specials: the last of them counts too."""
    new = [b'.\n', b' \n\n']
    lines = ''.join(f"{base64.b64encode(t).decode()} {266 + 256 + i}\n" for i, t in enumerate(new))
    (tmp_path / 'ext.model').write_text(tiktoken_file.read_text() + lines)
    tok = M.Tokenizer(tmp_path / 'ext.model')
    stops = E.newline_stops(tok)
    assert tok.ranks[b' \n\n'] == tok.n_words - 1 and tok.n_words - 1 in stops and tok.ranks[b'\n'] in stops
    assert tok.ranks[b'.\n'] not in stops and not set(tok.special.values()) - set(tok.stop_tokens) & set(stops)


# ---------------------------------------------------------------- scaling law and allocation

def test_scaling_law_fit_recovers_a_and_b():
    for a, b, g in ((60.0, -0.3, 1.0), (85.0, -0.12, 0.5)):
        points = [[x, 100 - a * (g * x) ** b] for x in (1e3, 5e3, 2e4, 1e5)]
        fa, fb, r2 = E.fit_scaling_law(points, g)
        assert fa == pytest.approx(a, rel=1e-9) and fb == pytest.approx(b, rel=1e-9) and r2 == pytest.approx(1.0)
    with pytest.raises(E.InputError):
        E.fit_scaling_law([[1000, 50]])


def test_allocation_meets_constraints_and_beats_uniform():
    laws = [(60.0, -0.3, 1.0), (85.0, -0.12, 1.0), (40.0, -0.5, 2.0)]
    limits = np.array([2e4, 1e5, 5e3])
    budget = 9e4
    X = E.allocate(laws, budget, limits)
    assert X.sum() == pytest.approx(budget, rel=1e-9) and (X >= 0).all() and (X <= limits + 1e-6).all()
    mean_score = lambda X: np.mean([E.predicted_score(x, a, b, g) for x, (a, b, g) in zip(X, laws)])  # noqa: E731
    assert mean_score(X) >= mean_score(np.full(3, budget / 3)) - 1e-12
    # optimality: free sources have equal marginal gains; a source at its limit gains at least as much
    grad = np.array([-a * b * g ** b * x ** (b - 1) for x, (a, b, g) in zip(X, laws)])
    free = X < limits - 1e-6
    assert np.allclose(grad[free], grad[free][0], rtol=1e-6) and (grad[~free] >= grad[free][0] * (1 - 1e-6)).all()
    assert not free[0] and free[1:].all()  # this budget pushes the first source to its limit
    whole = E.integer_allocation(X, budget)
    assert whole.sum() == budget and (whole <= limits).all()
    with pytest.raises(E.InputError, match='budget'):
        E.allocate(laws, 2e5, limits)


def test_scaling_task_prints_a_tokenize_prep_budget(tmp_path):
    spec = {'hi': {'points': [[x, 100 - 60 * x ** -0.3] for x in (1e3, 1e4, 1e5)], 'max': 5e4},
            'zh': {'points': [[x, 100 - 85 * x ** -0.12] for x in (1e3, 1e4, 1e5)]}}
    (tmp_path / 'points.json').write_text(json.dumps(spec))
    out = E.eval_scaling(settings(scaling_points=str(tmp_path / 'points.json'), scaling_budget=60000))
    assert sum(out['allocation'].values()) == 60000 and out['allocation']['hi'] <= 5e4
    assert out['sft_budget'] == f"sft_budget = {out['allocation']!r}"
    assert out['fit']['hi']['b'] == pytest.approx(-0.3)


# ---------------------------------------------------------------- quadrants

def test_delta_is_equation_1_worked_by_hand():
    # Eq. 1 with T = 4: P_pre >= T -> P_post / P_pre - 2; otherwise (P_post - 2T) / P_pre
    assert E.delta(14, 35, 4) == pytest.approx(0.5)  # 35/14 - 2 = 2.5 - 2
    assert E.delta(4, 8, 4) == 0.0  # P_pre == T takes the first branch: 8/4 - 2 = 0, not significant
    assert E.delta(3, 7, 4) == pytest.approx(-1 / 3)  # (7 - 8)/3; the first branch would say 7/3 - 2 = +1/3
    assert E.delta(3, 9, 4) == pytest.approx(1 / 3)  # (9 - 8)/3
    # P_pre = 0: the limit from above, the sign of P_post - 2T
    assert E.delta(0, 9, 4) == math.inf and E.delta(0, 3, 4) == -math.inf and E.delta(0, 8, 4) == 0.0
    assert E.delta(0, 0.5, 0) == math.inf and E.delta(0, 0, 0) == 0.0  # T = 0: 0.5/0 - 2 -> +inf


def write_mt_result(path, scores):
    """A result file of evaluate.py's shape, holding only mt scores."""
    path.write_text(json.dumps({'checkpoint': str(path), 'tasks': {'mt': {
        pair: {'spbleu': v, 'bleu': 0.0} for pair, v in scores.items()}, 'beam': 4}}))


def test_quadrants_from_result_files_worked_by_hand(tmp_path):
    af, ro = 'eng_Latn-afr_Latn', 'eng_Latn-ron_Latn'
    de, hi, km, zh, my = ('eng_Latn-deu_Latn', 'eng_Latn-hin_Deva', 'eng_Latn-khm_Khmr', 'eng_Latn-zho_Hans',
                          'eng_Latn-mya_Mymr')
    # the vanilla model: T = its mean = (4 + 6 + 14 + 3 + 1 + 0 + 0) / 7 = 28 / 7 = 4;
    # multilingual P_pre = (4 + 6) / 2 = 5 >= T, so multilingual Δ = P_post / 5 - 2 for every language
    write_mt_result(tmp_path / 'llama.json', {af: 4.0, ro: 6.0, de: 14.0, hi: 3.0, km: 1.0, zh: 0.0, my: 0.0})
    after = {  # run: (own pair's P_post, en->af, en->ro)
        'de_ft': (de, 35.0, 12.0, 10.0),  # bi: 35/14 - 2 = +0.5;  multi: (12+10)/2 = 11, 11/5 - 2 = +0.2 -> reciprocal
        'hi_ft': (hi, 7.0, 8.0, 14.0),  # bi: 3 < T: (7 - 8)/3 = -1/3;  multi: 11 -> +0.2               -> altruistic
        'km_ft': (km, 8.0, 5.0, 4.0),  # bi: (8 - 8)/1 = 0, not > 0;    multi: 4.5/5 - 2 = -1.1          -> stagnant
        'zh_ft': (zh, 9.0, 4.0, 6.0),  # bi: P_pre 0, 9 > 2T: +inf;     multi: 5/5 - 2 = -1             -> selfish
        'my_ft': (my, 3.0, 10.0, 12.0),  # bi: P_pre 0, 3 < 2T: -inf;   multi: 11 -> +0.2               -> altruistic
    }
    for run, (pair, own, a, r) in after.items():
        write_mt_result(tmp_path / f'{run}.json', {af: a, ro: r, pair: own})
    runs = {run[:2]: [run, pair] for run, (pair, *_) in after.items()}
    cfg = settings(tasks=['quadrants'], quadrant_before='llama', quadrant_runs=runs, out_dir=str(tmp_path))
    out = E.eval_quadrants(cfg)
    assert out['T'] == pytest.approx(4.0)
    assert {k: out[k]['quadrant'] for k in runs} == {'de': 'reciprocal', 'hi': 'altruistic', 'km': 'stagnant',
                                                    'zh': 'selfish', 'my': 'altruistic'}
    assert out['de']['bilingual'] == {'P_pre': 14.0, 'P_post': 35.0, 'delta': pytest.approx(0.5)}
    assert out['hi']['bilingual']['delta'] == pytest.approx(-1 / 3)
    assert out['de']['multilingual']['delta'] == pytest.approx(0.2) and out['km']['multilingual']['P_post'] == 4.5
    assert out['zh']['bilingual']['delta'] == math.inf and out['my']['bilingual']['delta'] == -math.inf
    # T given: with T = 2, hi's P_pre = 3 >= T and its Δ = 7/3 - 2 = +1/3: reciprocal
    assert E.eval_quadrants(settings(**{**vars(cfg), 'quadrant_threshold': 2.0}))['hi']['quadrant'] == 'reciprocal'
    svg = (tmp_path / 'quadrants.svg').read_text()
    assert out['plot'] == str(tmp_path / 'quadrants.svg') and svg.startswith('<svg') and svg.count('<circle') == 5
    row = [line for line in E.format_table({'run': {'tasks': {'quadrants': out}}}).splitlines()
           if line.startswith('quadrants/hi/quadrant')]
    assert row[0].split() == ['quadrants/hi/quadrant', 'altruistic']
    # the whole task, no model: one result file, written with the others
    E.main(cfg)
    assert json.loads((tmp_path / 'analysis.json').read_text())['tasks']['quadrants']['km']['quadrant'] == 'stagnant'


def test_quadrant_inputs_that_are_wrong(tmp_path):
    write_mt_result(tmp_path / 'llama.json', {'eng_Latn-afr_Latn': 4.0, 'eng_Latn-ron_Latn': 6.0})
    write_mt_result(tmp_path / 'km_ft.json', {'eng_Latn-afr_Latn': 4.0, 'eng_Latn-khm_Khmr': 6.0})
    base = dict(quadrant_before='llama', out_dir=str(tmp_path))
    for kw, message in ((dict(quadrant_runs={}), 'set quadrant_before'),
                        (dict(quadrant_runs={'km': 'km_ft'}), 'set quadrant_before'),
                        (dict(quadrant_runs={'km': ['nothing', 'eng_Latn-khm_Khmr']}),
                         'llama.json: no mt result eng_Latn-khm_Khmr'),
                        (dict(quadrant_runs={'km': ['nothing', 'eng_Latn-afr_Latn']}), 'nothing.json: cannot read .*No such file'),
                        (dict(quadrant_runs={'km': ['km_ft', 'eng_Latn-afr_Latn']}),
                         'km_ft.json: no mt result eng_Latn-ron_Latn with spbleu')):
        with pytest.raises(E.InputError, match=message) as e:
            E.eval_quadrants(settings(**base, **kw))
        assert '\n' not in str(e.value)


# How Multilingual, Table 9: the original LLaMA's spBLEU on every en->x pair of Flores-101 devtest (its LLaMA column),
# by the paper's language codes (zhtrad: Traditional Chinese; ns: Northern Sotho)
_TABLE_9 = """
    pt 4.7 ko 0.5 is 1.6 fr 6.0 jv 3.1 sd 0.4 sv 5.4 zhtrad 0.4 mt 1.8 ca 6.0 hy 0.1 my 0.3 da 5.4 he 0.5 te 0.7
    de 4.8 bn 0.2 ln 2.9 ro 3.6 ky 0.4 et 1.6 it 4.6 fa 0.7 ps 0.9 cs 2.4 vi 1.9 uz 0.9 es 4.8 tl 3.5 om 0.9 ru 1.0
    mr 0.3 az 1.1 uk 0.5 be 0.2 ff 2.7 nl 5.5 umb 1.7 lg 2.9 sl 1.6 mk 0.5 km 1.1 bs 2.1 ne 0.7 ga 2.0 hr 2.1
    tg 0.4 wo 2.7 hu 1.2 gu 0.3 lo 1.8 pl 2.1 mn 0.2 xh 2.3 no 3.3 kk 0.7 zu 1.7 ast 2.5 lt 0.7 kea 2.7 gl 2.6
    kn 0.3 ns 3.3 bg 0.7 sr 0.4 ceb 4.0 id 2.8 ur 0.2 kam 2.9 af 3.5 th 0.8 yo 1.9 sk 1.7 as 0.2 mi 2.3 ms 3.9
    ta 0.4 ig 2.0 ja 0.1 lv 0.7 cy 2.5 oc 2.8 pa 0.3 sn 2.6 el 0.7 ml 0.2 luo 3.1 hi 0.3 or 0.3 sw 2.6 zh 0.5
    tr 2.4 so 2.6 ar 0.3 ku 0.2 ny 3.1 fi 1.4 lb 1.9 ha 3.1 ka 0.4 am 0.2""".split()
TABLE_9_LLAMA = {iso: float(v) for iso, v in zip(_TABLE_9[::2], _TABLE_9[1::2])}


def test_T_is_the_vanilla_mean_over_every_flores101_pair_as_app_d_says(tmp_path):
    """App. D: T is the vanilla model's average translation score on Flores-101. configs/eval_hml.py evaluates every
    en->x pair (the 101 of Table 9), and T averages them all: 1.84 from Table 9; configs/eval_hml_e12.py averages
    App. E's 12 representative languages (Table 11): 2.09. The output names the pairs either way."""
    import tokenize_prep as T
    flores = {'zhtrad': 'zho_Hant', 'ns': T.LANGUAGES['nso'][1]}
    scores = {f'eng_Latn-{flores.get(iso) or T.LANGUAGES[iso][1]}': v for iso, v in TABLE_9_LLAMA.items()}
    assert len(TABLE_9_LLAMA) == len(scores) == 101
    write_mt_result(tmp_path / 'llama-7b.json', scores)
    hi, af, ro = 'eng_Latn-hin_Deva', 'eng_Latn-afr_Latn', 'eng_Latn-ron_Latn'
    write_mt_result(tmp_path / 'full.json', {hi: 3.0, af: 10.0, ro: 20.0})

    cfg = P.configure(vars(E), [str(ROOT / 'configs' / 'eval_hml.py'), f'--out_dir={tmp_path}'])
    assert sorted(cfg.mt_pairs) == sorted(scores)  # the paper config evaluates exactly Table 9's pairs
    out = E.eval_quadrants(cfg)
    assert out['T'] == pytest.approx(sum(scores.values()) / 101) and round(out['T'], 2) == 1.84
    assert sorted(out['T_pairs']) == sorted(scores) and out['T_from'] == 'mean of 101 pairs'
    # hi: P_pre 0.3 < T, so Eq. 1's second branch: Δ = (P_post - 2T) / P_pre
    assert out['hi']['bilingual']['delta'] == pytest.approx((3.0 - 2 * out['T']) / 0.3)

    e12 = P.configure(vars(E), [str(ROOT / 'configs' / 'eval_hml_e12.py'), f'--out_dir={tmp_path}'])
    table_11 = ['ha', 'he', 'mi', 'ta', 'af', 'ro', 'th', 'ns', 'luo', 'zh', 'tr', 'et']
    out = E.eval_quadrants(e12)
    assert out['T'] == pytest.approx(sum(TABLE_9_LLAMA[c] for c in table_11) / 12) and round(out['T'], 2) == 2.09
    assert sorted(out['T_pairs']) == sorted(e12.quadrant_threshold_pairs) and len(out['T_pairs']) == 12
    # a pair T should average that the vanilla run lacks is one line, naming it
    write_mt_result(tmp_path / 'llama-7b.json', {k: v for k, v in scores.items() if k != 'eng_Latn-luo_Latn'})
    with pytest.raises(E.InputError, match='llama-7b.json: no mt result eng_Latn-luo_Latn'):
        E.eval_quadrants(e12)
    # T given: no pairs averaged
    out = E.eval_quadrants(P.configure(vars(E), [str(ROOT / 'configs' / 'eval_hml.py'), f'--out_dir={tmp_path}',
                                                 '--quadrant_threshold=2.5']))
    assert out['T'] == 2.5 and out['T_pairs'] == [] and out['T_from'] == 'set'


# ---------------------------------------------------------------- code-switching

def test_script_is_the_unicode_script_property():
    assert E.script_of('a') == 'Latin' and E.script_of('Ａ') == 'Latin' and E.script_of('中') == 'Han'
    assert E.script_of('ि') == 'Devanagari' and E.script_of('ア') == 'Katakana' and E.script_of('3') is None
    # º, ª and the Kelvin sign are Latin letters; µ, mathematical letters, the danda and ー are Common
    assert [E.script_of(c) for c in 'ºª\u212a'] == ['Latin'] * 3
    assert [E.script_of(c) for c in 'µ𝐀।ー\u0301'] == [None] * 5


def test_code_switching_by_script():
    # LLaMA Beyond English's main case: English words inside a non-Latin-script response
    responses = ['यह एक अच्छा दिन है।', 'यह GPU तेज़ है', 'यह 中文 है', 'Привет दोस्त', '2024: १२ !']
    r = E.code_switching(responses, 'hi')
    assert r['rate'] == pytest.approx(60.0) and r['scripts'] == {'Latin': 1, 'Han': 1, 'Cyrillic': 1}
    assert E.code_switching(['这是English的句子'], 'zh')['scripts'] == {'Latin': 1}
    assert E.code_switching(['这是English和ひらがな'], 'zho_Hans')['scripts'] == {'Latin': 1, 'Hiragana': 1}
    assert E.code_switching(['यह GPU तेज़ है'], 'hi', min_run=4)['rate'] == 0.0  # an acronym skipped
    assert E.code_switching(['यह computer तेज़ है'], 'hi', min_run=4)['rate'] == 100.0
    # Spanish with ordinal indicators and an accent written as a combining mark: not switched
    assert E.code_switching(['el 1º de mayo', 'la 2ª vez, cafe\u0301 y 5 µs'], 'es')['rate'] == 0.0
    assert E.code_switching(['これは日本語です、カタカナもー'], 'ja')['rate'] == 0.0
    assert E.code_switching(['நான் வீட்டுக்கு போகிறேன்'], 'ta')['rate'] == 0.0  # its vowel signs are Tamil script
    with pytest.raises(E.InputError, match='cs_scripts'):
        E.code_switching(['x'], 'xx')
    with pytest.raises(E.InputError, match='DEVANAGRI is not a script'):
        E.code_switching(['x'], 'xx', extra={'xx': 'DEVANAGRI'})
    assert E.code_switching(['यह GPU'], 'xx', extra={'xx': ['DEVANAGARI', 'latin']})['rate'] == 0.0


def test_chat_reads_alpaca_records_and_keeps_what_the_judges_need(tiny, tmp_path, monkeypatch):
    """Held-out instructions go through codemix.read_records (the one Alpaca reader), an input left out
    is ''; the responses keep instruction, input and reference for the judges."""
    (tmp_path / 'hi.json').write_text(json.dumps([{'instruction': 'Say hi.', 'output': 'नमस्ते'}]))
    seen = []

    def fake_generate(model, prompts, *rest):
        seen.extend(prompts)
        return [tiny.tok.encode('hello GPU', bos=False, eos=False)]
    monkeypatch.setattr(E, 'generate_batched', fake_generate)
    r = E.eval_chat(tiny.model, tiny.tok, settings(chat_files={'hi': str(tmp_path / 'hi.json')}, template='alpaca'))
    assert seen == [tiny.tok.encode(M.format_prompt('Say hi.', ''), bos=True, eos=False)]
    assert r['hi']['responses'] == [{'instruction': 'Say hi.', 'input': '', 'response': 'hello GPU',
                                     'reference': 'नमस्ते'}]
    assert r['hi']['code_switching']['rate'] == 100.0  # Latin in a Hindi answer


# ---------------------------------------------------------------- alignment by layer

def test_layer_states_equal_transformers_and_alignment(tiny):
    hf = to_hf(tiny.args, tiny.state)
    seqs = [tiny.tok.encode(s, bos=True, eos=False) for s in ('The quick brown fox.', 'A river runs through the old town today.')]
    states = E.layer_states(tiny.model, seqs, batch_size=2)
    for i, ids in enumerate(seqs):
        with torch.no_grad():
            hs = hf(torch.tensor([ids]), output_hidden_states=True).hidden_states
        expected = torch.stack([h[0, 1:].mean(0) for h in hs])
        assert (states[i] - expected).abs().max() < 1e-5
    same = E.alignment_by_layer(tiny.model, tiny.tok, ['a dog', 'the town', 'Numbers'], ['a dog', 'the town', 'Numbers'], 2)
    assert len(same['matched']) == len(same['gap']) == tiny.args.n_layers + 1
    assert same['matched'] == pytest.approx([1.0] * 3) and min(same['gap']) > 0
    assert same['max_gap'] == max(same['gap']) and same['gap'][same['max_gap_layer']] == same['max_gap']
    # mismatched: the mean over the 6 off-diagonal pairs, computed here directly
    a = F.normalize(E.layer_states(tiny.model, [tiny.tok.encode(x, bos=True, eos=False) for x in ('a dog', 'the town', 'Numbers')], 2), dim=-1)
    off = [(a[i] * a[j]).sum(-1) for i in range(3) for j in range(3) if i != j]
    assert same['mismatched'] == pytest.approx(torch.stack(off).mean(0).tolist(), abs=1e-6)


# ---------------------------------------------------------------- LLM-as-judge against a stub endpoint

@pytest.fixture
def stub():
    """An OpenAI-compatible endpoint on 127.0.0.1 in a thread: it answers with `reply(body)` (or the
    HTTP status in `status`), records every request, and stops by itself after the test."""
    state = SimpleNamespace(status=200, reply=lambda body: 'ok', requests=[], stop=threading.Event())

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers['Content-Length'])))
            state.requests.append((self.path, self.headers.get('Authorization'), body))
            if state.status != 200:
                self.send_error(state.status)
                return
            answer = {'choices': [{'message': {'role': 'assistant', 'content': state.reply(body)}}] * body.get('n', 1)}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header('Content-Type', 'application/json')
            self.send_header('Content-Length', str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(('127.0.0.1', 0), Handler)
    server.timeout = 0.2

    def serve():
        for _ in range(500):  # a bounded number of waits
            if state.stop.is_set():
                break
            server.handle_request()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    state.url = f'http://127.0.0.1:{server.server_port}/v1'
    yield state
    state.stop.set()
    thread.join(timeout=5)
    server.server_close()


def responses(*texts):
    return [{'instruction': f'Question {i}', 'input': '', 'response': t, 'reference': f'Reference {i}'}
            for i, t in enumerate(texts)]


def test_llm_eval_scores_through_endpoint(stub, monkeypatch, capsys):
    monkeypatch.setenv('JUDGE_KEY', 'sk-test')
    # the answer in the format LLaMA Beyond English's prompt asks for
    stub.reply = lambda body: ('"Accuracy": 3, "Fluency": 2,\n"Informativeness": 1, "Logicality": 2,\n'
                               '"Harmlessness": 3.')
    cfg = settings(judge_url=stub.url, judge_key_env='JUDGE_KEY', judge_samples=2)
    out = E.eval_judge({'chat': {'hi': {'responses': responses('उत्तर एक', 'उत्तर दो')}}}, cfg)
    assert out['hi'] == {'accuracy': 3.0, 'fluency': 2.0, 'informativeness': 1.0, 'logicality': 2.0,
                         'harmlessness': 3.0, 'average': 2.2, 'n': 2, 'unparsed': 0}
    path, auth, body = stub.requests[0]
    assert len(stub.requests) == 2 and path == '/v1/chat/completions' and auth == 'Bearer sk-test'
    assert body['model'] == 'gpt-4' and body['n'] == 2 and out['model'] == 'gpt-4'  # the paper's judge by default
    assert body['messages'][0]['content'] == E.LLM_EVAL_PROMPT.format(question='Question 0', response='उत्तर एक',
                                                                       reference='Reference 0')
    assert '\nThe reference answer for this question is: Reference 0\n' in body['messages'][0]['content']
    # JSON works too; a reply without all five scores (or one out of 0..3) is unparsed, reported, not 0
    assert E.parse_llm_eval('{"accuracy": 1, "fluency": 0, "informativeness": 3, "logicality": 2, "harmlessness": 3}')
    assert E.parse_llm_eval('"Accuracy": 3, "Fluency": 2, "Informativeness": 1, "Logicality": 2') is None
    assert E.parse_llm_eval('"Accuracy": 4, "Fluency": 2, "Informativeness": 1, "Logicality": 2, '
                            '"Harmlessness": 3') is None
    replies = iter(['I cannot score this.', stub.reply(None)])  # one completion per response now
    stub.reply = lambda body: next(replies)
    one = E.eval_judge({'chat': {'hi': {'responses': responses('x', 'y')}}},
                       settings(**{**vars(cfg), 'judge_samples': 1}))
    assert one['hi']['unparsed'] == 1 and one['hi']['accuracy'] == 3.0 and one['hi']['n'] == 2
    assert '1 of 2 hi items got no reply in the expected format' in capsys.readouterr().err
    with pytest.raises(E.InputError, match="give every record an 'output'"):
        E.eval_judge({'chat': {'hi': {'responses': [{**responses('x')[0], 'reference': None}]}}},
                     settings(**{**vars(cfg), 'chat_files': {'hi': 'hi.json'}}))


def qa_outputs(*answers):
    return [{'id': str(i), 'input': f'Context: c{i}\nQuestion: q{i}\nAnswer: ', 'output': a}
            for i, a in enumerate(answers)]


def test_xllama_qa_judge_through_endpoint(stub, capsys):
    def reply(body):  # the judge says YES when the answer says dawn
        text = body['messages'][0]['content']
        answer = text.split('\nAnswer: ')[-1].split('\n')[0]
        return 'Maybe.' if 'unsure' in answer else 'YES' if 'dawn' in answer else 'NO, it is not.'
    stub.reply = reply
    cfg = settings(judge_url=stub.url, judge_key_env='', judge_mode='xllama-qa')
    answers = ['at dawn', 'at noon', '', 'unsure', 'dawn'] + ['dawn'] * 100  # only the first 100 are judged
    out = E.eval_judge({'qa': {'hi': {'outputs': qa_outputs(*answers)}, 'prompt': 'native'}}, cfg)
    # of the first 100: 'unsure' unparsed; 99 judged: YES for 'at dawn' and the 96 'dawn' (indices 4..99),
    # NO for 'at noon' and the empty answer -> 97 / 99
    assert out['hi'] == {'accuracy': pytest.approx(100 * 97 / 99), 'n': 100, 'unparsed': 1, 'unparsed_ids': ['3']}
    assert len(stub.requests) == 99  # the empty answer is NO without asking
    body = stub.requests[0][2]
    assert body['model'] == 'gpt-3.5-turbo' and body['temperature'] == 0.0 and 'n' not in body
    assert body['messages'][0]['content'] == E.XLLAMA_QA_JUDGE_PROMPT.format(
        context='Context: c0\nQuestion: q0\nAnswer: ', answer='at dawn')
    assert 'warning: judge: 1 of 100 hi items' in capsys.readouterr().err
    replies = ('YES.', 'The answer: NO', 'NOTE: YES', 'NONE', 'yes')
    assert [E.parse_yes_no(t) for t in replies] == [True, False, True, None, None]


def test_pairwise_judge_in_both_orders(stub, tmp_path):
    def reply(body):  # the judge prefers whichever answer says GOOD, wherever it is placed
        text = body['messages'][1]['content']
        first_is_good = text.index('GOOD') < text.index('[The Start of Assistant 2')
        return f"Evaluation evidence: fine\nScore of the Assistant 1: {9 if first_is_good else 3}\nScore of the Assistant 2: {3 if first_is_good else 9}"
    stub.reply = reply
    other = {'tasks': {'chat': {'zh': {'responses': responses('GOOD 答案', '差')}}}}
    (tmp_path / 'other.json').write_text(json.dumps(other))
    cfg = settings(judge_url=stub.url, judge_key_env='', judge_mode='pairwise', judge_against=str(tmp_path / 'other.json'), judge_samples=1)
    out = E.eval_judge({'chat': {'zh': {'responses': responses('坏', 'GOOD 好')}}}, cfg)
    assert out['zh'] == {'wins': 1, 'ties': 0, 'losses': 1, 'score_this': 6.0, 'score_other': 6.0, 'n': 2, 'unparsed': 0}
    assert len(stub.requests) == 4 and stub.requests[0][2]['messages'][0]['content'] == E.PAIRWISE_SYSTEM
    assert stub.requests[0][2]['model'] == 'gpt-3.5-turbo' and stub.requests[0][2]['temperature'] == 1.0
    (tmp_path / 'other.json').write_text(json.dumps({'tasks': {'chat': {'zh': {'responses': responses('a')}}}}))
    with pytest.raises(E.InputError, match='other instructions'):
        E.eval_judge({'chat': {'zh': {'responses': responses('b', 'c')}}}, cfg)


def test_failing_endpoint_is_a_clear_error(stub, monkeypatch):
    stub.status = 500
    cfg = settings(judge_url=stub.url, judge_key_env='', judge_retries=1)
    with pytest.raises(E.InputError, match='answered HTTP 500') as e:
        E.ask(cfg, [{'role': 'user', 'content': 'hi'}], str)
    assert '\n' not in str(e.value) and len(stub.requests) == 2  # one retry, then the error
    closed = settings(judge_url='http://127.0.0.1:9/v1', judge_key_env='', judge_retries=0, judge_timeout=2.0)
    with pytest.raises(E.InputError, match='cannot reach the judge endpoint'):
        E.ask(closed, [{'role': 'user', 'content': 'hi'}], str)
    monkeypatch.delenv('NO_SUCH_KEY', raising=False)
    with pytest.raises(E.InputError, match='NO_SUCH_KEY'):
        E.ask(settings(judge_url=stub.url, judge_key_env='NO_SUCH_KEY'), [], str)


# ---------------------------------------------------------------- runs: result files, table, CLI

def write_demo_like_data(root):
    (root / 'qa').mkdir(parents=True)
    (root / 'flores').mkdir()
    (root / 'en.val.txt').write_text('The quick brown fox jumps over the lazy dog.\nA river runs through the old town.\n')
    qa = {'data': [{'paragraphs': [{'context': 'The bakers open their shops at dawn.',
                                    'qas': [{'id': '1', 'question': 'When do the bakers open?', 'answers': [{'text': 'at dawn', 'answer_start': 27}]}]}]}]}
    (root / 'qa' / 'en.json').write_text(json.dumps(qa))
    (root / 'flores' / 'eng_Latn.devtest').write_text('The river runs.\nThe fox jumps.\n')
    (root / 'flores' / 'hin_Deva.devtest').write_text('नदी बहती है।\nलोमड़ी कूदती है।\n')
    return ['--tasks=["ppl", "qa", "mt"]', f'--ppl_files={{"en": "{root}/en.val.txt"}}', f'--qa_files={{"en": "{root}/qa/en.json"}}',
            f'--flores_dir={root}/flores', '--mt_pairs=["eng_Latn-hin_Deva"]', '--qa_max_new_tokens=3', '--mt_max_new_tokens=3',
            '--table_rows=[]', '--qa_prompt=native']


def test_run_writes_one_result_file_and_a_failed_run_keeps_it(tiny, tmp_path, capsys):
    argv = write_demo_like_data(tmp_path / 'data') + [f'--ckpt_dirs=["{tiny.ckpt}"]', f'--out_dir={tmp_path}/eval', '--max_seq_len=512']
    E.main(P.configure(vars(E), argv))
    path = tmp_path / 'eval' / 'tiny.json'
    first_run = json.loads(path.read_text())
    assert set(first_run['tasks']) == {'ppl', 'qa', 'mt'} and first_run['tasks']['qa']['en']['n'] == 1
    assert 'bits_per_byte' in first_run['tasks']['ppl']['en'] and 'bleu' in first_run['tasks']['mt']['eng_Latn-hin_Deva']
    out = capsys.readouterr().out
    assert 'ppl/en/bits_per_byte' in out and 'not comparable' not in out and 'comparable only' in out
    # a run that fails half-way (the translation files are broken) leaves the earlier result alone
    (tmp_path / 'data' / 'flores' / 'hin_Deva.devtest').write_text('one line only\n')
    with pytest.raises(E.InputError, match='line-aligned'):
        E.main(P.configure(vars(E), argv))
    assert json.loads(path.read_text()) == first_run
    assert not [p for p in path.parent.iterdir() if p.name != 'tiny.json']  # no temporary left behind
    # two result files side by side
    (tmp_path / 'eval' / 'other.json').write_text(json.dumps({'tasks': {'qa': {'en': {'f1': 12.5}}}}))
    E.main(P.configure(vars(E), [f'--compare=["{path}", "{tmp_path}/eval/other.json"]']))
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ['metric', 'tiny', 'other']
    assert any(line.split()[0] == 'qa/en/f1' and line.split()[-1] == '12.50' for line in table)


def test_the_table_shows_what_was_measured_unless_rows_are_asked_for():
    """A language the default rows did not name (here 'xx') used to be left out without a word."""
    result = {'tasks': {'ppl': {'en': {'ppl': 2.0}, 'xx': {'ppl': 3.0}}}}
    table = E.format_table({'run': result}, E.table_rows).splitlines()
    assert [line.split()[0] for line in table[1:]] == ['ppl/en/ppl', 'ppl/xx/ppl']
    asked = E.format_table({'run': result}, ['ppl/en/ppl']).splitlines()
    assert [line.split()[0] for line in asked[1:-1]] == ['ppl/en/ppl'] and 'not shown: 1 more' in asked[-1]


# one earlier demo run's figures (seed 1337, the README's table before it gave ranges), as configs/demo_table.py
# reads them; each effect's verdict worked by hand
DEMO_FIGURES = {
    'base': {'ppl': {'en': {'ppl': 3.8069}, 'hi': {'bits_per_byte': 22.11}}},
    'cpt_hi': {'ppl': {'en': {'ppl': 17.37}, 'hi': {'bits_per_byte': 0.5019}}},
    'cpt_hi_en': {'ppl': {'en': {'ppl': 4.0267}, 'hi': {'bits_per_byte': 0.2152}}},
    'sft_en': {'qa': {'en': {'f1': 61.84}, 'hi': {'f1': 0.0, 'em': 0.0}}, 'mt': {'eng_Latn-hin_Deva': {'chrf': 0.0}}},
    'sft_coit': {'qa': {'hi': {'f1': 17.12, 'em': 17.12}}, 'mt': {'eng_Latn-hin_Deva': {'chrf': 55.84}}},
    'sft_naive': {'qa': {'hi': {'em': 9.009}}}, 'sft_commit': {'qa': {'hi': {'em': 5.8559}}},
    'sft_small': {}, 'hml_embed': {}, 'hml_full': {},
    'analysis': {'quadrants': {'hml_embed': {'bilingual': {'delta': math.inf}, 'quadrant': 'selfish'}}}}
# effect: (its verdict on DEMO_FIGURES, the figures it prints, one change to one cell that turns the verdict over)
DEMO_EFFECTS = {
    'forgetting': (True, '17.37 / 3.8069 = 4.5628', ('cpt_hi', 'ppl/en/ppl', 5.0)),  # 4.56x >= 1.5x; 1.31x is not
    'joint training': (True, '4.0267 / 3.8069 = 1.0577', ('cpt_hi_en', 'ppl/en/ppl', 4.5)),  # 1.06x <= 1.15x; 1.18x
    'bits per byte': (True, '0.2152 / 22.11 = 0.0097', ('cpt_hi_en', 'ppl/hi/bits_per_byte', 5.0)),  # 0.0097x; 0.23x
    'English QA learned': (True, '61.84', ('sft_en', 'qa/en/f1', 49.9)),
    'CoIT over English-only': (True, '17.12 - 0.0000 = 17.12', ('sft_en', 'qa/hi/f1', 12.2)),  # 17.1 >= 5; 4.9 is not
    'translation': (True, '55.84 - 0.0000 = 55.84', ('sft_en', 'mt/eng_Latn-hin_Deva/chrf', 46.0)),  # 9.8 < 10
    'COMMIT over naive': (False, '5.8559 vs 9.0090', ('sft_commit', 'qa/hi/em', 9.1)),  # 5.9 < 9.0; 9.1 > 9.0
    'quadrant': (True, 'selfish', ('analysis', 'quadrants/hml_embed/quadrant', 'reciprocal')),
}


def test_each_demo_effect_line_follows_from_the_figures_in_the_result_files(tmp_path, capsys):
    """configs/demo_table.py's effects, on result files written here: each line prints the figures of the files
    and its verdict; one figure moved across the effect's bound turns that verdict over, and no other."""
    demo = P.configure(vars(E), [str(ROOT / 'configs' / 'demo_table.py')])
    assert [e['name'] for e in demo.effects] == list(DEMO_EFFECTS)  # every demo effect is checked here

    def verdicts(figures):
        for name, tasks in figures.items():
            (tmp_path / f'{name}.json').write_text(json.dumps({'tasks': tasks}))
        paths = [str(tmp_path / f'{name}.json') for name in figures]
        E.main(P.configure(vars(E), [str(ROOT / 'configs' / 'demo_table.py'), f'--compare={paths!r}']))
        lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith('effect ')]
        assert len(lines) == len(DEMO_EFFECTS)
        out = {}
        for line, name in zip(lines, DEMO_EFFECTS):
            assert line.startswith(f'effect {name}: ') and (line.endswith(': shown') or line.endswith(': not shown this time'))
            out[name] = (line.endswith(': shown'), line)
        return out

    before = verdicts(DEMO_FIGURES)
    for name, (shown, figures, (run, metric, value)) in DEMO_EFFECTS.items():
        assert before[name][0] == shown and f'({figures}): ' in before[name][1], before[name][1]
        moved = json.loads(json.dumps(DEMO_FIGURES))
        *path, last = metric.split('/')
        node = moved[run]
        for key in path:
            node = node.setdefault(key, {})
        node[last] = value
        after = verdicts(moved)
        assert after[name][0] == (not shown), after[name][1]
        assert all(after[n][0] == before[n][0] for n in DEMO_EFFECTS if n != name)
    lacking = json.loads(json.dumps(DEMO_FIGURES))
    del lacking['sft_en']['qa']['en']  # a cell the files lack: no verdict
    (tmp_path / 'sft_en.json').write_text(json.dumps({'tasks': lacking['sft_en']}))
    E.main(P.configure(vars(E), [str(ROOT / 'configs' / 'demo_table.py'),
                                 f'--compare={[str(tmp_path / f"{n}.json") for n in lacking]!r}']))
    assert ('effect English QA learned: sft_en:qa/en/f1 >= 50 (sft_en:qa/en/f1 is not in its result file): '
            'not measured') in capsys.readouterr().out.splitlines()


def test_every_effect_form_on_both_sides_of_its_bound():
    flat = {'a': {'x': 6.0, 'zero': 0.0, 'word': 'selfish'}, 'b': {'x': 3.0, 'zero': 0.0}}
    def verdict(test):
        return E.effect_line({'name': 'e', 'test': test}, flat).rsplit(': ', 1)[1]
    cases = [('a:x > b:x', 'b:x > a:x'), ('b:x < a:x', 'a:x < b:x'), ('a:x >= 6', 'a:x >= 6.01'),
             ('a:x <= 6', 'a:x <= 5.99'), ('a:x / b:x >= 2', 'a:x / b:x >= 2.01'), ('a:x / b:x <= 2', 'b:x / a:x <= 0.49'),
             ('a:x - b:x >= 3', 'a:x - b:x >= 3.01'), ('b:x - a:x <= -3', 'a:x - b:x <= 2.99'),
             ('a:word == selfish', 'a:word == reciprocal'), ('a:x / b:zero >= 1e9', 'a:zero / b:zero >= 0')]  # inf; nan
    for holds, fails in cases:
        assert (verdict(holds), verdict(fails)) == ('shown', 'not shown this time'), (holds, fails)
    assert verdict('a:word > b:x') == verdict('b:y >= 1') == 'not measured'  # a word where a number is meant; no cell
    assert E.effect_line({'name': 'e', 'test': 'a:x / b:x >= 2'}, flat) == 'effect e: a:x / b:x >= 2 (6.0000 / 3.0000 = 2.0000): shown'


@pytest.mark.parametrize('entry', [{'name': 'e', 'test': 'base:ppl/en/ppl >> 2'}, {'name': 'e'}, 'base:ppl/en/ppl > 2',
                                   {'name': '', 'test': 'base:ppl/en/ppl >= 2'}, {'name': 'e', 'test': 'base:ppl/en/ppl >= x'},
                                   {'name': 'e', 'test': 'ppl/en/ppl >= 2'}, {'name': 'e', 'test': 'base:ppl/en/ppl >= inf'},
                                   {'name': 'e', 'test': 'base:ppl/en/ppl / base:ppl/hi/ppl > 2'},
                                   {'name': 'e', 'test': 'nosuchrun:ppl/en/ppl >= 2'},
                                   {'name': 'e', 'test': 'base:ppl/en/ppl >= 2', 'paper': 'x'}])
def test_a_malformed_effect_is_refused_in_one_line_before_any_file_is_read(entry, tmp_path):
    good = {'name': 'fine', 'test': 'base:ppl/en/ppl >= 2'}
    r = subprocess.run([sys.executable, 'evaluate.py', f'--compare={[str(tmp_path / "base.json")]!r}',
                        f'--effects={[good, entry]!r}'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.count('\n') == 1 and r.stderr.startswith(f'error: effects[1] {entry!r}: '), r.stderr
    assert 'not a result file' not in r.stderr and 'base.json' not in r.stderr  # refused before base.json was looked for


def test_the_judge_task_first_runs_the_task_its_mode_reads(monkeypatch):
    """x-LLaMA's YES/NO judge reads the QA outputs, LLM-Eval and the pairwise judge the chat responses."""
    ran = []
    for name in ('eval_qa', 'eval_chat'):
        monkeypatch.setattr(E, name, lambda model, tok, cfg, name=name: ran.append(name) or {})
    monkeypatch.setattr(E, 'eval_judge', lambda t, cfg: {'read': list(t)})
    for mode, task in (('xllama-qa', 'qa'), ('llm-eval', 'chat'), ('pairwise', 'chat')):
        ran.clear()
        r = E.evaluate(None, settings(tasks=['judge'], judge_mode=mode))
        assert ran == [f'eval_{task}'] and r['tasks'] == {task: {}, 'judge': {'read': [task]}}


def test_cli_without_checkpoint_is_one_line_error(tmp_path):
    r = subprocess.run([sys.executable, 'evaluate.py', f'--ckpt_dirs=["{tmp_path}/missing"]'], cwd=ROOT,
                       capture_output=True, text=True)
    assert r.returncode == 1 and r.stderr.count('\n') == 1
    assert 'missing: no checkpoint here (no params.json or config.json)' in r.stderr


def test_unknown_task_is_a_clear_error():
    with pytest.raises(E.InputError, match='unknown bogus'):
        E.main(settings(tasks=['ppl', 'bogus']))


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs a GPU')
def test_on_gpu_as_on_cpu(tiny):
    """Devices and masks stay consistent off the CPU: float32 on the GPU gives the CPU's tokens and
    scores; bfloat16 runs every path."""
    gpu, _ = M.load(tiny.ckpt, device='cuda', max_seq_len=512)
    prompts = [[1, 5, 9, 14, 20, 3], [1, 7], [1, 8, 8, 8, 2, 11, 13]]
    stops = tuple(M.generate(tiny.model, prompts[:1], 3)[0][1:3])
    for fn in (lambda m: E.generate_batched(m, prompts, 6, stops, 2), lambda m: E.beam_search(m, prompts, 3, 6, stops)):
        assert fn(gpu.eval()) == fn(tiny.model)
    requests = [(p[:3], p[3:]) for p in prompts if len(p) > 3]
    assert np.allclose(E.logliks(gpu, requests, 2), E.logliks(tiny.model, requests, 2), atol=1e-3)
    assert torch.allclose(E.layer_states(gpu, prompts, 2), E.layer_states(tiny.model, prompts, 2), atol=1e-3)
    half, _ = M.load(tiny.ckpt, device='cuda', dtype=torch.bfloat16, max_seq_len=512)
    assert math.isfinite(E.perplexity(half.eval(), [(p, 4, 4) for p in prompts], 4, 2, 2)['ppl'])
    assert all(len(h) > 0 for h in E.beam_search(half, prompts, 4, 5, ()))


# ---------------------------------------------------------------- what the checkpoint recorded

def test_prompts_use_the_template_recorded_with_the_checkpoint(tiny, tmp_path, monkeypatch):
    """sft.py records its template in run.json; evaluate.py prompts with it unless told otherwise."""
    ckpt = tmp_path / 'run' / 'latest'
    ckpt.mkdir(parents=True)
    for f in tiny.ckpt.iterdir():
        (ckpt / f.name).write_bytes(f.read_bytes())
    (ckpt / 'run.json').write_text(json.dumps({'template': 'none', 'data': {}}))
    seen = []
    monkeypatch.setattr(E, 'generate_batched', lambda model, prompts, *a, **k: seen.extend(prompts) or [[]] * len(prompts))
    item = {'question': 'Where?', 'context': 'Here.', 'answers': ['Here'], 'id': 'x'}
    monkeypatch.setattr(E, 'read_squad', lambda path: [item])
    for template, expected in (('', 'none'), ('alpaca', 'alpaca')):
        seen.clear()
        E.evaluate(ckpt, settings(tasks=['qa'], qa_files={'en': 'x.json'}, qa_prompt='alpaca', template=template))
        assert seen == [tiny.tok.encode(M.format_prompt('Where?', 'Here.', expected), bos=True, eos=False)]
    assert E.run_name(ckpt) == 'run' and E.run_name(tmp_path / 'x' / 'step_000200') == 'x_step_000200'


def test_a_shortened_model_is_fed_shortened_ids_and_decoded_back(sp_tokenizer, tmp_path):
    """A model trained with tokenize_prep.py's `shorten` sees no <0xE0> tokens: load_checkpoint reads
    that from run.json, encodes the same way and gives the byte back before decoding."""
    args = tiny_args(dim=32, n_heads=4, multiple_of=16, vocab_size=M.Tokenizer(sp_tokenizer).n_words)
    ckpt = write_checkpoint(tmp_path / 'ckpt', args, random_model(args).state_dict(), sp_tokenizer)
    (ckpt / 'run.json').write_text(json.dumps({'data': {'shortening': {'hi': 0xE0}}}))
    _, short, _ = E.load_checkpoint(ckpt, settings())
    _, plain, _ = E.load_checkpoint(write_checkpoint(tmp_path / 'plain', args, random_model(args).state_dict(),
                                                     sp_tokenizer), settings())
    text = 'नदी के किनारे गाँव है'
    ids = short.encode(text, bos=True, eos=False)
    # this English tokenizer spells each Devanagari character as three byte tokens, the first <0xE0>: one fewer each
    devanagari = sum('\u0900' <= c <= '\u097f' for c in text)
    assert len(ids) == len(plain.encode(text, bos=True, eos=False)) - devanagari
    assert plain.sp.piece_to_id('<0xE0>') not in ids and short.decode(ids[1:]) == text and short.bos_id == plain.bos_id
