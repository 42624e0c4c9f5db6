r"""COMMIT's α sweep (footnote 6: α in {0.8, 0.9, 1.0}, chosen by EM on MLQA's validation split): MLQA hi's dev
set (MLQA_V1/dev, Hindi context and question) with COMMIT's harness prompt and MLQA's answer normalisation,
for the runs at α 0.8 (commit_sft_hi_a08.py), 0.9 (commit_sft_hi.py) and 1.0 (commit_sft_hi_a10.py).
    python evaluate.py configs/eval_commit_alpha.py
"""
tasks = ['qa']
ckpt_dirs = ['out/commit/sft_hi_a08/latest', 'out/commit/sft_hi/latest', 'out/commit/sft_hi_a10/latest']
out_dir = 'out/eval/commit_alpha'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 2  # sec. 4.1: batch size 2
max_examples = 0
qa_files = {'hi': 'data/eval/mlqa/dev-context-hi-question-hi.json'}
qa_prompt = 'commit'
qa_norm = 'mlqa'
qa_max_new_tokens = 256  # lm-evaluation-harness's max_gen_toks default
table_rows = ['qa/hi/em', 'qa/hi/f1']
