"""How Multilingual is Multilingual LLM?: en->x translation on Flores-101 devtest with beam 4, scored in
spBLEU (sec. 3.1 "Setting"), then the quadrants of Eq. 1 (sec. 3.2) from the result files.
    python evaluate.py configs/eval_hml.py
    python evaluate.py configs/eval_hml.py --tasks="['quadrants']"     # once every run's result file exists
The first command writes out/eval/hml/{run}.json per checkpoint; the second reads them (no model). T of
Eq. 1 is the vanilla model's mean spBLEU over the pairs its result file holds (App. D averages all of
Flores-101's en->x: add them to mt_pairs for the vanilla run, or set quadrant_threshold). Flores-101's files
are named by its own codes ({code}.devtest: eng, afr, ron, hin, khm...). The base model is LLaMA-7B as in
the paper; the tuned runs here are this repository's hml_sft_* (en->hi); configs/eval_hml_short.py
measures the shortening experiment.
"""
tasks = ['mt']
ckpt_dirs = ['models/llama-7b', 'out/hml/embed/latest', 'out/hml/layer/latest', 'out/hml/lora/latest',
             'out/hml/full/latest']
out_dir = 'out/eval/hml'
device = 'cuda'
dtype = 'bfloat16'
max_seq_len = 2048
batch_size = 16
max_examples = 0  # the full devtest (1012 sentences)
flores_dir = 'data/eval/flores101/devtest'
mt_pairs = ['eng-afr', 'eng-ron', 'eng-hin']  # en->af and en->ro: the multilingual score (sec. 3.2)
mt_beam = 4  # sec. 3.1
mt_max_new_tokens = 256
spm_path = 'models/sacrebleu_tokenizer_spm.model'  # sacrebleu's -tok flores101 model (fairseq/models/flores)
table_rows = ['mt/eng-afr/spbleu', 'mt/eng-ron/spbleu', 'mt/eng-hin/spbleu']
# quadrants: one language per tuned run; the four modes here all tune en->hi, so compare one at a time
quadrant_before = 'llama-7b'
quadrant_runs = {'hi': ['full', 'eng-hin']}
quadrant_multilingual = ['eng-afr', 'eng-ron']
quadrant_metric = 'spbleu'
quadrant_threshold = 0.0  # 0 = the vanilla run's mean
