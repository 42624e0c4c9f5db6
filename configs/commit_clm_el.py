"""COMMIT's CLM+COMMIT baseline (Table 3) for Greek: continued pretraining of LLaMA 7B on the plain Greek
Wikipedia, not code-mixed, with the alignment stage's recipe (commit_align_el.py: 10000 steps of 16 x 512
tokens), then COMMIT from it (configs/commit_sft_clm_el.py): the same corpus, consumed by causal language
modelling alone (sec. 4.2).
    torchrun --nproc_per_node=8 pretrain.py configs/commit_clm_el.py
"""
init_from = 'models/llama-7b'  # LLaMA 7B (v1), as all four papers; any Meta checkpoint works
out_dir = 'out/commit/clm_el'
data_dir = 'data/commit_clm_el'
mixture = {'el': 1.0}
mode = 'full'
block_size = 512
batch_size = 2  # x 8 GPUs = 16
max_steps = 10000
lr = 2e-5
min_lr_ratio = 0.005  # 1e-7 / 2e-5
warmup_steps = 300
weight_decay = 0.0
beta2 = 0.999
eval_interval = 1000
ckpt_interval = 2000
device = 'cuda'
dtype = 'bfloat16'
