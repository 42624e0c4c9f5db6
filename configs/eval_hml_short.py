"""How Multilingual, the shortening experiment (sec. 4.3, Table 7): en->km, lo, gu, te on Flores-101
devtest, beam 4, spBLEU, for the full fine-tunes on 80K Lego-MT pairs, shortened and not
(configs/hml_data_short_*.py). A shortened model's run.json names its lead byte; evaluate.py encodes and
decodes accordingly. The result files go beside eval_hml.py's: its vanilla LLaMA-7B run (all 101 pairs, these
included) gives P_pre and T (App. D) to the quadrants of the shortened runs (Eq. 1). Run eval_hml.py first.
    python evaluate.py configs/eval_hml_short.py
    python evaluate.py configs/eval_hml_short.py --tasks="['quadrants']"
"""
tasks = ['mt']
ckpt_dirs = ['out/hml/short_km/latest', 'out/hml/short_lo/latest', 'out/hml/short_gu/latest', 'out/hml/short_te/latest',
             'out/hml/plain_km/latest', 'out/hml/plain_lo/latest', 'out/hml/plain_gu/latest', 'out/hml/plain_te/latest']
out_dir = 'out/eval/hml'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
mt_pairs = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn', 'eng_Latn-khm_Khmr', 'eng_Latn-lao_Laoo', 'eng_Latn-guj_Gujr',
            'eng_Latn-tel_Telu']
mt_beam = 4  # sec. 3.2 "Setting"; App. C
mt_max_new_tokens = 256  # ours (the paper gives no cap); App. F's lo and te reach 300+ LLaMA tokens a sentence
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng_Latn-khm_Khmr/spbleu', 'mt/eng_Latn-lao_Laoo/spbleu', 'mt/eng_Latn-guj_Gujr/spbleu',
              'mt/eng_Latn-tel_Telu/spbleu']
quadrant_before = 'llama-7b'
quadrant_runs = {'km': ['short_km', 'eng_Latn-khm_Khmr'], 'lo': ['short_lo', 'eng_Latn-lao_Laoo'],
                 'gu': ['short_gu', 'eng_Latn-guj_Gujr'], 'te': ['short_te', 'eng_Latn-tel_Telu']}
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # en->af and en->ro (sec. 3.2)
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = T from the vanilla run (App. D)
quadrant_threshold_pairs = []  # every pair of eval_hml.py's vanilla result: all 101 (App. D)
