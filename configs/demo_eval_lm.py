"""evaluate.py: the demo's pretrained models (not instruction tuned, so QA and translation prompts
mean nothing to them): perplexity and tokenization on every validation document.
    python evaluate.py configs/demo_eval_lm.py
"""
tasks = ['ppl']
ckpt_dirs = ['out/demo/base/latest', 'out/demo/cpt_hi/latest', 'out/demo/cpt_hi_en/latest']
max_examples = 0
