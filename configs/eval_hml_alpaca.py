"""How Multilingual, App. G's Table 14 (and the Flores-101 column of Table 16's Alpaca-En rows): LLaMA-7B
tuned on Alpaca-En by full tuning, LoRA, the embeddings, and each single layer (configs/hml_alpaca_*.py), on
Flores-101 en->ro, es, de, ca, pt, da, no, bs, beam 4, spBLEU. The result files go beside eval_hml.py's,
whose vanilla run holds these pairs too.
    python evaluate.py configs/eval_hml_alpaca.py
"""
tasks = ['mt']
ckpt_dirs = ['out/hml/alpaca_full/latest', 'out/hml/alpaca_lora/latest', 'out/hml/alpaca_embed/latest',
             'out/hml/alpaca_layer0/latest', 'out/hml/alpaca_layer1/latest', 'out/hml/alpaca_layer2/latest',
             'out/hml/alpaca_layer3/latest', 'out/hml/alpaca_layer4/latest', 'out/hml/alpaca_layer5/latest',
             'out/hml/alpaca_layer6/latest', 'out/hml/alpaca_layer7/latest', 'out/hml/alpaca_layer8/latest',
             'out/hml/alpaca_layer9/latest', 'out/hml/alpaca_layer10/latest', 'out/hml/alpaca_layer11/latest',
             'out/hml/alpaca_layer12/latest', 'out/hml/alpaca_layer13/latest', 'out/hml/alpaca_layer14/latest',
             'out/hml/alpaca_layer15/latest', 'out/hml/alpaca_layer16/latest', 'out/hml/alpaca_layer17/latest',
             'out/hml/alpaca_layer18/latest', 'out/hml/alpaca_layer19/latest', 'out/hml/alpaca_layer20/latest',
             'out/hml/alpaca_layer21/latest', 'out/hml/alpaca_layer22/latest', 'out/hml/alpaca_layer23/latest',
             'out/hml/alpaca_layer24/latest', 'out/hml/alpaca_layer25/latest', 'out/hml/alpaca_layer26/latest',
             'out/hml/alpaca_layer27/latest', 'out/hml/alpaca_layer28/latest', 'out/hml/alpaca_layer29/latest',
             'out/hml/alpaca_layer30/latest', 'out/hml/alpaca_layer31/latest']
out_dir = 'out/eval/hml'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
# Table 14's eight pairs
mt_pairs = ['eng_Latn-ron_Latn', 'eng_Latn-spa_Latn', 'eng_Latn-deu_Latn', 'eng_Latn-cat_Latn', 'eng_Latn-por_Latn',
            'eng_Latn-dan_Latn', 'eng_Latn-nob_Latn', 'eng_Latn-bos_Latn']
mt_beam = 4  # sec. 3.2 "Setting"; App. C
mt_max_new_tokens = 256  # ours (the paper gives no cap); App. F's lo and te reach 300+ LLaMA tokens a sentence
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng_Latn-ron_Latn/spbleu', 'mt/eng_Latn-spa_Latn/spbleu', 'mt/eng_Latn-deu_Latn/spbleu',
              'mt/eng_Latn-cat_Latn/spbleu', 'mt/eng_Latn-por_Latn/spbleu', 'mt/eng_Latn-dan_Latn/spbleu',
              'mt/eng_Latn-nob_Latn/spbleu', 'mt/eng_Latn-bos_Latn/spbleu']
quadrant_before = 'llama-7b'
quadrant_runs = {}  # Alpaca-En is English: no language of its own to place in a quadrant
quadrant_multilingual = ['eng_Latn-afr_Latn', 'eng_Latn-ron_Latn']  # en->af and en->ro (sec. 3.2)
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = T from the vanilla run (App. D)
quadrant_threshold_pairs = []
