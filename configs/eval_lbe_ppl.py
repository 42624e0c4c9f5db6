"""LLaMA Beyond English, Table 2: perplexity on held-out Chinese and English text of LLaMA after 0 / 10K / 100K /
1M samples of Chinese-only further pretraining (lbe_cpt_*.py), and of Open Chinese LLaMA ("How about the Original
English Capabilities": 200,000 Chinese samples from the internet, 200,000 English ones from RefinedWeb).
    python evaluate.py configs/eval_lbe_ppl.py
Bring: the two held-out files, a document a line (not the pretraining corpora's val files: the paper collects
these apart). Perplexity per token compares models of one tokenizer; bits per byte, printed beside it, compares
Open Chinese LLaMA (scored in its own tokenizer) with the rest.
"""
tasks = ['ppl']
# LBE Table 2's columns as printed: L(0), L(10k), L(100k), L(1M), Open
ckpt_dirs = ['models/llama-7b', 'out/lbe/cpt_10k/latest', 'out/lbe/cpt_100k/latest', 'out/lbe/cpt_1m/latest',
             'models/open-chinese-llama-7b']
out_dir = 'out/eval/lbe_ppl'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # all 200,000 of each
ppl_files = {'zh': 'corpora/zh_ppl.txt', 'en': 'corpora/en_refinedweb_ppl.txt'}
ppl_window = 512  # our choice (LBE does not say): the windows the further pretraining trained on (lbe_cpt_*)
ppl_stride = 256  # our choice: every token scored once; past the first window, after 256 or more of context
table_rows = ['ppl/zh/ppl', 'ppl/en/ppl', 'ppl/zh/bits_per_byte', 'ppl/en/bits_per_byte']
