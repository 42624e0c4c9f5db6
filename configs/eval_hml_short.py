"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): en->km, lo, gu, te on Flores-101
devtest, beam 4, spBLEU, for LLaMA-7B and the full fine-tunes on 80K Lego-MT pairs, shortened and not
(configs/hml_data_short_*.py). A shortened model's run.json names its lead byte; evaluate.py encodes and
decodes accordingly. The quadrants of the shortened runs (Eq. 1; T from the vanilla run, as in eval_hml.py):
    python evaluate.py configs/eval_hml_short.py
    python evaluate.py configs/eval_hml_short.py --tasks="['quadrants']"
"""
tasks = ['mt']
ckpt_dirs = ['models/llama-7b', 'out/hml/short_km/latest', 'out/hml/short_lo/latest', 'out/hml/short_gu/latest',
             'out/hml/short_te/latest', 'out/hml/plain_km/latest', 'out/hml/plain_lo/latest',
             'out/hml/plain_gu/latest', 'out/hml/plain_te/latest']
out_dir = 'out/eval/hml_short'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0
flores_dir = 'data/eval/flores101/devtest'
mt_pairs = ['eng-afr', 'eng-ron', 'eng-khm', 'eng-lao', 'eng-guj', 'eng-tel']
mt_beam = 4  # sec. 3.1
mt_max_new_tokens = 256
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model
table_rows = ['mt/eng-khm/spbleu', 'mt/eng-lao/spbleu', 'mt/eng-guj/spbleu', 'mt/eng-tel/spbleu']
quadrant_before = 'llama-7b'
quadrant_runs = {'km': ['short_km', 'eng-khm'], 'lo': ['short_lo', 'eng-lao'], 'gu': ['short_gu', 'eng-guj'],
                 'te': ['short_te', 'eng-tel']}
quadrant_multilingual = ['eng-afr', 'eng-ron']
