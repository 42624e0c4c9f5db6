r"""COMMIT (Lee et al. 2024): XQuAD hi, th, el zero-shot with the prompts of the lm-evaluation-harness
tasks in its repository (ogx_xquad_{lang}: target-language labels, raw text, no BOS, greedy until a
newline, max 256 new tokens); EM and F1 with SQuAD's normalisation (the harness's XQuAD uses the `squad`
metric). Table 2's "+En prompt" rows: --qa_prompt=commit-en.
    python evaluate.py configs/eval_commit.py
MLQA hi (the harness scores it with MLQA's script):
    python evaluate.py configs/eval_commit.py --qa_norm=mlqa \
        --qa_files="{'hi': 'data/eval/mlqa/test-context-hi-question-hi.json'}"
IndicQA ta, bn (unanswerable questions score as SQuAD v2.0); its harness prompts are not public, so English:
    python evaluate.py configs/eval_commit.py --qa_prompt=commit-en \
        --qa_files="{'ta': 'data/eval/indicqa/indicqa.ta.json', 'bn': 'data/eval/indicqa/indicqa.bn.json'}"
The base model is LLaMA-7B as in the paper.
"""
tasks = ['qa']
ckpt_dirs = ['out/commit/sft_hi/latest', 'out/commit/sft_th/latest', 'out/commit/sft_el/latest']
out_dir = 'out/eval/commit'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 2  # sec. 4.1: batch size 2
max_examples = 0  # XQuAD: all 1190 questions (the harness's validation split)
qa_files = {'hi': 'data/eval/xquad/xquad.hi.json', 'th': 'data/eval/xquad/xquad.th.json',
            'el': 'data/eval/xquad/xquad.el.json'}
qa_prompt = 'commit'
qa_norm = 'squad'
qa_max_new_tokens = 256  # lm-evaluation-harness's max_gen_toks default
table_rows = ['qa/hi/em', 'qa/hi/f1', 'qa/th/em', 'qa/th/f1', 'qa/el/em', 'qa/el/f1']
