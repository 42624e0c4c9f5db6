"""How Multilingual, Table 4: the altruistic languages vi, tr and ar, each tuned on 10K, 20K and 40K en->x pairs by
full tuning, LoRA and the embeddings (configs/hml_data_vi.py, hml_data_tr.py, hml_data_ar.py say how), scored on
their own pair (B) and on en->af and en->ro (M, their mean), beam 4, spBLEU. The result files go beside
eval_hml.py's, whose vanilla run is Table 4's LLaMA row; the quadrants place each 10K full-tuning run.
    python evaluate.py configs/eval_hml_altruistic.py
    python evaluate.py configs/eval_hml_altruistic.py --tasks="['quadrants']"
"""
tasks = ['mt']
ckpt_dirs = ['out/hml/vi_full_10k/latest', 'out/hml/vi_full_20k/latest', 'out/hml/vi_full_40k/latest',
             'out/hml/vi_lora_10k/latest', 'out/hml/vi_lora_20k/latest', 'out/hml/vi_lora_40k/latest',
             'out/hml/vi_embed_10k/latest', 'out/hml/vi_embed_20k/latest', 'out/hml/vi_embed_40k/latest',
             'out/hml/tr_full_10k/latest', 'out/hml/tr_full_20k/latest', 'out/hml/tr_full_40k/latest',
             'out/hml/tr_lora_10k/latest', 'out/hml/tr_lora_20k/latest', 'out/hml/tr_lora_40k/latest',
             'out/hml/tr_embed_10k/latest', 'out/hml/tr_embed_20k/latest', 'out/hml/tr_embed_40k/latest',
             'out/hml/ar_full_10k/latest', 'out/hml/ar_full_20k/latest', 'out/hml/ar_full_40k/latest',
             'out/hml/ar_lora_10k/latest', 'out/hml/ar_lora_20k/latest', 'out/hml/ar_lora_40k/latest',
             'out/hml/ar_embed_10k/latest', 'out/hml/ar_embed_20k/latest', 'out/hml/ar_embed_40k/latest']
out_dir = 'out/eval/hml'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
mt_pairs = ['eng_Latn-vie_Latn', 'eng_Latn-tur_Latn', 'eng_Latn-arb_Arab', 'eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']
mt_beam = 4  # sec. 3.2 "Setting"; App. C
mt_max_new_tokens = 256  # ours (the paper gives no cap); App. F's lo and te reach 300+ LLaMA tokens a sentence
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng_Latn-vie_Latn/spbleu', 'mt/eng_Latn-tur_Latn/spbleu', 'mt/eng_Latn-arb_Arab/spbleu',
              'mt/eng_Latn-afr_Latn/spbleu', 'mt/eng_Latn-ron_Latn/spbleu']
quadrant_before = 'llama-7b'
quadrant_runs = {'vi': ['vi_full_10k', 'eng_Latn-vie_Latn'], 'tr': ['tr_full_10k', 'eng_Latn-tur_Latn'],
                 'ar': ['ar_full_10k', 'eng_Latn-arb_Arab']}
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # en->af and en->ro (sec. 3.2)
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = T from the vanilla run (App. D)
quadrant_threshold_pairs = []  # every pair of eval_hml.py's vanilla result: all 101 (App. D)
