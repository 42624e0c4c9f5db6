r"""COMMIT (Lee et al. 2024), Table 6: IndicQA ta and bn, zero-shot, EM; unanswerable questions score as SQuAD
v2.0 scores them (an empty answer is right exactly when there is none). Its harness prompts for IndicQA are not
public, so the English labels of its XQuAD prompts (qa_prompt='commit-en'), raw text, no BOS, greedy until a
newline, at most 256 new tokens, as configs/eval_commit.py. Table 6's rows: LLaMA (below), Align+COMMIT
(commit_sft_ta.py, commit_sft_bn.py), COMMIT without alignment (those configs with
--init_from=models/llama-7b --out_dir=out/commit/sft_noalign_{ta,bn}, then --ckpt_dirs here).
    python evaluate.py configs/eval_commit_indicqa.py
"""
tasks = ['qa']
ckpt_dirs = ['models/llama-7b', 'out/commit/sft_ta/latest', 'out/commit/sft_bn/latest']
out_dir = 'out/eval/commit_indicqa'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 2  # sec. 4.1: batch size 2
max_examples = 0
qa_files = {'ta': 'data/eval/indicqa/indicqa.ta.json', 'bn': 'data/eval/indicqa/indicqa.bn.json'}
qa_prompt = 'commit-en'
qa_norm = 'squad'
qa_max_new_tokens = 256  # lm-evaluation-harness's max_gen_toks default
table_rows = ['qa/ta/em', 'qa/ta/f1', 'qa/bn/em', 'qa/bn/f1']
