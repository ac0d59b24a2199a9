<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="ko_KR">
<context>
    <name>sa::ui::AdaptersPanel</name>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>Image size</source>
        <translation>이미지 크기</translation>
    </message>
    <message>
        <source>Width:</source>
        <translation>너비:</translation>
    </message>
    <message>
        <source>Height:</source>
        <translation>높이:</translation>
    </message>
    <message>
        <source>Pixels, a multiple of the model&apos;s VAE factor (8 for SD); 0 = the model&apos;s own size.</source>
        <translation>픽셀 단위이며 모델 VAE 배율(SD는 8)의 배수여야 합니다. 0 = 모델 고유 크기.</translation>
    </message>
    <message>
        <source>Panorama (MultiDiffusion)</source>
        <translation>파노라마(MultiDiffusion)</translation>
    </message>
    <message>
        <source>Panorama width:</source>
        <translation>파노라마 너비:</translation>
    </message>
    <message>
        <source>off</source>
        <translation>끔</translation>
    </message>
    <message>
        <source>Pixels; 0 = off. Every new subject becomes a panorama this wide and the set&apos;s height tall, denoised window by window (MultiDiffusion), each window sharing attention with a square reference.</source>
        <translation>픽셀 단위, 0 = 끔. 새 대상마다 이 너비와 세트 높이의 파노라마가 되며, 창 단위로 노이즈가 제거되고(MultiDiffusion) 각 창은 정사각형 참조 이미지와 어텐션을 공유합니다.</translation>
    </message>
    <message>
        <source>Window:</source>
        <translation>창:</translation>
    </message>
    <message>
        <source>model default</source>
        <translation>모델 기본값</translation>
    </message>
    <message>
        <source>The views&apos; side in latent cells (pixels ÷ the VAE factor); 0 = the model&apos;s own size (64 for SD 1.5).</source>
        <translation>뷰 한 변의 길이(잠재 셀 단위, 픽셀 ÷ VAE 배율). 0 = 모델 고유 크기(SD 1.5는 64).</translation>
    </message>
    <message>
        <source>Stride:</source>
        <translation>간격:</translation>
    </message>
    <message>
        <source>default (window ÷ 8)</source>
        <translation>기본값(창 ÷ 8)</translation>
    </message>
    <message>
        <source>How far apart the views start, in latent cells; smaller: more views, smoother seams, slower.</source>
        <translation>뷰 시작 위치 사이의 거리(잠재 셀 단위). 작을수록 뷰가 많아지고 이음매가 매끄러워지지만 느려집니다.</translation>
    </message>
    <message>
        <source>Views per batch:</source>
        <translation>배치당 뷰:</translation>
    </message>
    <message>
        <source>Views denoised in one UNet call (each with the reference): faster, more memory.</source>
        <translation>한 번의 UNet 호출에서 노이즈를 제거할 뷰 수(각각 참조 이미지 포함). 빠르지만 메모리를 더 씁니다.</translation>
    </message>
    <message>
        <source>Circular (360°: the ends meet)</source>
        <translation>원형(360°: 양 끝이 이어짐)</translation>
    </message>
    <message>
        <source>The views wrap around horizontally, so the panorama&apos;s right edge continues into its left (needs the set&apos;s height to be one window).</source>
        <translation>뷰가 가로로 순환하여 파노라마의 오른쪽 끝이 왼쪽 끝으로 이어집니다(세트 높이가 창 하나여야 함).</translation>
    </message>
    <message>
        <source>model default (%1)</source>
        <translation>모델 기본값(%1)</translation>
    </message>
    <message>
        <source>Panoramas take their reference from text (the caption), as google/style-aligned&apos;s MultiDiffusion demo does: no reference image.</source>
        <translation>파노라마는 google/style-aligned의 MultiDiffusion 데모처럼 참조를 텍스트(캡션)에서 생성합니다: 참조 이미지 없음.</translation>
    </message>
    <message>
        <source>A panorama takes its reference from text, as google/style-aligned&apos;s panorama demo does: remove the reference image (Clear), or set the panorama width to off.</source>
        <translation>파노라마는 google/style-aligned의 파노라마 데모처럼 참조를 텍스트에서 생성합니다: 참조 이미지를 지우거나(지우기) 파노라마 너비를 끔으로 설정하세요.</translation>
    </message>
    <message>
        <source>A panorama cannot be steered by a ControlNet (the reference code&apos;s panorama has no control): switch the ControlNet or the panorama off.</source>
        <translation>파노라마는 ControlNet으로 제어할 수 없습니다(참조 코드의 파노라마에는 제어가 없음): ControlNet이나 파노라마 중 하나를 끄세요.</translation>
    </message>
</context>
<context>
    <name>sa::ui::ChartsPanel</name>
    <message>
        <source>Attention on the reference, per layer</source>
        <translation>레이어별 참조 이미지 어텐션</translation>
    </message>
    <message>
        <source>Mean share of the new images&apos; attention that lands on the reference, for each layer at each step.</source>
        <translation>새 이미지의 어텐션 중 참조 이미지로 향하는 평균 비율입니다(레이어별, 단계별).</translation>
    </message>
    <message>
        <source>step</source>
        <translation>단계</translation>
    </message>
    <message>
        <source>share</source>
        <translation>비율</translation>
    </message>
    <message>
        <source>set</source>
        <translation>세트</translation>
    </message>
    <message>
        <source>subject confidence</source>
        <translation>대상 신뢰도</translation>
    </message>
    <message>
        <source>style agreement</source>
        <translation>스타일 일치도</translation>
    </message>
    <message>
        <source>Metrics per set</source>
        <translation>세트별 지표</translation>
    </message>
    <message>
        <source>For every set this session. The demo model&apos;s judge: how sure it is of each subject, and how many new images it finds in the reference&apos;s style (%). With CLIP and DINO set in Settings ▸ Models: the CLIP text score (each new image against its subject, without the style words) and DINO set consistency (how alike the set&apos;s images are), as cosines.</source>
        <translation>이번 세션의 모든 세트에 대해 표시합니다. 데모 모델의 판정기: 각 대상을 얼마나 확신하는지, 그리고 참조 이미지의 스타일로 판정한 새 이미지의 비율(%). 설정 ▸ 모델에서 CLIP과 DINO를 지정하면: CLIP 텍스트 점수(스타일 단어를 뺀 대상과 각 새 이미지의 일치도)와 DINO 세트 일관성(세트 이미지들이 얼마나 닮았는지)을 코사인 값으로 표시합니다.</translation>
    </message>
    <message>
        <source>cosine</source>
        <translation>코사인</translation>
    </message>
    <message>
        <source>CLIP text score</source>
        <translation>CLIP 텍스트 점수</translation>
    </message>
    <message>
        <source>DINO set consistency</source>
        <translation>DINO 세트 일관성</translation>
    </message>
    <message>
        <source>judge, %</source>
        <translation>판정기, %</translation>
    </message>
</context>
<context>
    <name>sa::ui::CheckpointOptionsDialog</name>
    <message>
        <source>Checkpoint Options</source>
        <translation>체크포인트 옵션</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Real checkpoints load with &lt;i&gt;Auto&lt;/i&gt; everywhere. Change these only for a file that does not load or looks wrong.</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;실제 체크포인트는 모든 항목을 &lt;i&gt;자동&lt;/i&gt;으로 두면 불러와집니다. 불러오지 못하거나 결과가 이상한 파일에만 바꾸세요.</translation>
    </message>
    <message>
        <source>Auto: %1, found beside the file</source>
        <translation>자동: 파일 옆에서 찾은 %1</translation>
    </message>
    <message>
        <source>Auto: the family&apos;s standard config (no %1 beside the file)</source>
        <translation>자동: 해당 계열의 표준 설정 (파일 옆에 %1 없음)</translation>
    </message>
    <message>
        <source>The original YAML of the checkpoint (v1-inference.yaml, v2-inference-v.yaml, sd_xl_base.yaml, …): its architecture and prediction type.</source>
        <translation>체크포인트의 원본 YAML(v1-inference.yaml, v2-inference-v.yaml, sd_xl_base.yaml, …): 구조와 예측 방식을 정합니다.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Auto (from the config)</source>
        <translation>자동 (설정에서)</translation>
    </message>
    <message>
        <source>ε-prediction (epsilon)</source>
        <translation>ε 예측 (epsilon)</translation>
    </message>
    <message>
        <source>v-prediction</source>
        <translation>v 예측</translation>
    </message>
    <message>
        <source>What the UNet predicts. SD 2.x 768 px models are v-prediction, most others ε. Washed-out or noisy images with the right prompt: try the other one.</source>
        <translation>UNet이 예측하는 대상입니다. SD 2.x 768 px 모델은 v 예측, 그 밖의 대부분은 ε 예측입니다. 프롬프트가 맞는데 이미지가 흐리거나 노이즈투성이라면 다른 쪽을 시도해 보세요.</translation>
    </message>
    <message>
        <source>Auto (head size 64)</source>
        <translation>자동 (헤드 크기 64)</translation>
    </message>
    <message>
        <source>Attention heads of the text encoders: a single file does not store them. Real CLIP and OpenCLIP encoders use a head size of 64.</source>
        <translation>텍스트 인코더의 어텐션 헤드 수: 단일 파일에는 저장되지 않습니다. 실제 CLIP 및 OpenCLIP 인코더는 헤드 크기 64를 씁니다.</translation>
    </message>
    <message>
        <source>Auto</source>
        <translation>자동</translation>
    </message>
    <message>
        <source>Activation of the text encoders (Auto: quick_gelu for CLIP ViT-L, gelu for OpenCLIP).</source>
        <translation>텍스트 인코더의 활성화 함수 (자동: CLIP ViT-L은 quick_gelu, OpenCLIP은 gelu).</translation>
    </message>
    <message>
        <source>Config &amp;YAML:</source>
        <translation>설정 YAML(&amp;Y):</translation>
    </message>
    <message>
        <source>&amp;Prediction:</source>
        <translation>예측 방식(&amp;P):</translation>
    </message>
    <message>
        <source>Text-encoder &amp;heads:</source>
        <translation>텍스트 인코더 헤드(&amp;H):</translation>
    </message>
    <message>
        <source>&amp;Activation:</source>
        <translation>활성화 함수(&amp;A):</translation>
    </message>
    <message>
        <source>&amp;Load</source>
        <translation>불러오기(&amp;L)</translation>
    </message>
    <message>
        <source>All &amp;Auto</source>
        <translation>모두 자동(&amp;A)</translation>
    </message>
    <message>
        <source>Original config of the checkpoint</source>
        <translation>체크포인트의 원본 설정</translation>
    </message>
    <message>
        <source>Original configs (*.yaml *.yml)</source>
        <translation>원본 설정 (*.yaml *.yml)</translation>
    </message>
</context>
<context>
    <name>sa::ui::ControlPanel</name>
    <message>
        <source>ControlNet</source>
        <translation>ControlNet</translation>
    </message>
    <message>
        <source>Steer the set&apos;s composition with a ControlNet: edges or maps that the images follow.</source>
        <translation>ControlNet으로 세트의 구도를 제어합니다: 이미지가 따르는 윤곽선이나 맵.</translation>
    </message>
    <message>
        <source>ControlNet:</source>
        <translation>ControlNet:</translation>
    </message>
    <message>
        <source>a diffusers ControlNet folder</source>
        <translation>diffusers ControlNet 폴더</translation>
    </message>
    <message>
        <source>The ControlNet: a diffusers folder (config.json + weights) made for the model&apos;s family, e.g. lllyasviel/sd-controlnet-canny for SD 1.5.</source>
        <translation>ControlNet: 모델 계열용으로 만든 diffusers 폴더(config.json + 가중치). 예: SD 1.5용 lllyasviel/sd-controlnet-canny.</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Images are:</source>
        <translation>이미지 종류:</translation>
    </message>
    <message>
        <source>Photos: their Canny edges steer</source>
        <translation>사진: Canny 윤곽선으로 제어</translation>
    </message>
    <message>
        <source>Control maps, used as given</source>
        <translation>제어 맵: 그대로 사용</translation>
    </message>
    <message>
        <source>Canny: each image&apos;s edges (OpenCV Canny, white on black) are the control map, for a Canny ControlNet. Map: the image is the control map itself (depth, pose, scribble, …).</source>
        <translation>Canny: 각 이미지의 윤곽선(OpenCV Canny, 검은 바탕에 흰 선)이 Canny ControlNet의 제어 맵이 됩니다. 맵: 이미지 자체가 제어 맵입니다(깊이, 포즈, 스케치 등).</translation>
    </message>
    <message>
        <source>Images:</source>
        <translation>이미지:</translation>
    </message>
    <message>
        <source>One for every image</source>
        <translation>모든 이미지에 하나</translation>
    </message>
    <message>
        <source>One per image (reference first)</source>
        <translation>이미지마다 하나(참조 이미지 먼저)</translation>
    </message>
    <message>
        <source>Canny thresholds:</source>
        <translation>Canny 임계값:</translation>
    </message>
    <message>
        <source>Lower hysteresis threshold: weaker edges connected to strong ones are kept above it.</source>
        <translation>낮은 히스테리시스 임계값: 이 값보다 크고 강한 윤곽선에 이어진 약한 윤곽선은 유지됩니다.</translation>
    </message>
    <message>
        <source>Upper hysteresis threshold: edges stronger than this are always kept.</source>
        <translation>높은 히스테리시스 임계값: 이보다 강한 윤곽선은 항상 유지됩니다.</translation>
    </message>
    <message>
        <source>Strength:</source>
        <translation>강도:</translation>
    </message>
    <message>
        <source>How strongly the ControlNet steers (diffusers&apos; controlnet_conditioning_scale; 1 = as trained).</source>
        <translation>ControlNet이 얼마나 강하게 제어하는지(diffusers의 controlnet_conditioning_scale, 1 = 학습된 그대로).</translation>
    </message>
    <message>
        <source>Steps:</source>
        <translation>단계:</translation>
    </message>
    <message>
        <source>The fraction of the steps at which the control starts (0 = from the first step).</source>
        <translation>제어가 시작되는 단계의 비율(0 = 첫 단계부터).</translation>
    </message>
    <message>
        <source>The fraction of the steps at which the control ends (1 = to the last step); ending early leaves the details free.</source>
        <translation>제어가 끝나는 단계의 비율(1 = 마지막 단계까지). 일찍 끝내면 세부 묘사가 자유로워집니다.</translation>
    </message>
    <message>
        <source>Steers:</source>
        <translation>제어 대상:</translation>
    </message>
    <message>
        <source>Every image</source>
        <translation>모든 이미지</translation>
    </message>
    <message>
        <source>Targets only</source>
        <translation>새 이미지만</translation>
    </message>
    <message>
        <source>Every image, the reference included, follows its control map (diffusers&apos; ControlNet pipeline).</source>
        <translation>참조 이미지를 포함한 모든 이미지가 제어 맵을 따릅니다(diffusers의 ControlNet 파이프라인).</translation>
    </message>
    <message>
        <source>The new images follow their maps; the reference is generated without control, as google/style-aligned&apos;s ControlNet demo does (its map is not used).</source>
        <translation>새 이미지만 맵을 따르고, 참조 이미지는 google/style-aligned의 ControlNet 데모처럼 제어 없이 생성됩니다(참조의 맵은 쓰이지 않음).</translation>
    </message>
    <message>
        <source>Choose the ControlNet folder (ControlNet ▸ Browse…), or switch the ControlNet off.</source>
        <translation>ControlNet 폴더를 고르거나(ControlNet ▸ 찾아보기…) ControlNet을 끄세요.</translation>
    </message>
    <message>
        <source>Choose a control image for &quot;%1&quot; (ControlNet ▸ Choose…).</source>
        <translation>&quot;%1&quot;의 제어 이미지를 고르세요(ControlNet ▸ 고르기…).</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>고르기…</translation>
    </message>
    <message>
        <source>Image %1</source>
        <translation>이미지 %1</translation>
    </message>
    <message>
        <source>Choose the image whose edges (or map) steer this image</source>
        <translation>이 이미지를 제어할 윤곽선(또는 맵)의 이미지를 고르세요</translation>
    </message>
    <message>
        <source>Targets only: the reference is generated without control, so its map is not used.</source>
        <translation>새 이미지만: 참조 이미지는 제어 없이 생성되므로 그 맵은 쓰이지 않습니다.</translation>
    </message>
    <message>
        <source>The lower Canny threshold is above the upper one.</source>
        <translation>Canny 낮은 임계값이 높은 임계값보다 큽니다.</translation>
    </message>
    <message>
        <source>(no image)</source>
        <translation>(이미지 없음)</translation>
    </message>
    <message>
        <source>none</source>
        <translation>없음</translation>
    </message>
    <message>
        <source>The control map as the ControlNet sees it (%1 × %2 px before it is fitted to the set&apos;s size)</source>
        <translation>ControlNet이 보는 제어 맵(세트 크기에 맞추기 전 %1 × %2 px)</translation>
    </message>
    <message>
        <source>Choose a control image</source>
        <translation>제어 이미지 고르기</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)</source>
        <translation>이미지 (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)</translation>
    </message>
    <message>
        <source>ControlNet folder</source>
        <translation>ControlNet 폴더</translation>
    </message>
    <message>
        <source>%1 has no config.json: choose a diffusers ControlNet folder (config.json and diffusion_pytorch_model.safetensors).</source>
        <translation>%1에 config.json이 없습니다: diffusers ControlNet 폴더(config.json과 diffusion_pytorch_model.safetensors)를 고르세요.</translation>
    </message>
</context>
<context>
    <name>sa::ui::ImageTile</name>
    <message>
        <source>waiting…</source>
        <translation>대기 중…</translation>
    </message>
    <message>
        <source>Enlarge</source>
        <translation>크게 보기</translation>
    </message>
    <message>
        <source>Re-roll this seed</source>
        <translation>이 시드 다시 뽑기</translation>
    </message>
    <message>
        <source>Use as reference</source>
        <translation>참조 이미지로 사용</translation>
    </message>
    <message>
        <source>Save image…</source>
        <translation>이미지 저장…</translation>
    </message>
    <message>
        <source>Deselect for export</source>
        <translation>내보내기 선택 해제</translation>
    </message>
    <message>
        <source>Select for export (Ctrl+click)</source>
        <translation>내보내기용으로 선택 (Ctrl+클릭)</translation>
    </message>
</context>
<context>
    <name>sa::ui::LabeledSlider</name>
    <message>
        <source>mixed</source>
        <translation>혼합</translation>
    </message>
</context>
<context>
    <name>sa::ui::LayerPlanPanel</name>
    <message>
        <source>Strength</source>
        <translation>강도</translation>
    </message>
    <message>
        <source>Key scale</source>
        <translation>키 스케일</translation>
    </message>
    <message>
        <source>AdaIN queries</source>
        <translation>AdaIN 쿼리</translation>
    </message>
    <message>
        <source>AdaIN keys</source>
        <translation>AdaIN 키</translation>
    </message>
    <message>
        <source>AdaIN values</source>
        <translation>AdaIN 값</translation>
    </message>
    <message>
        <source>Load layer plan</source>
        <translation>레이어 계획 불러오기</translation>
    </message>
    <message>
        <source>Layer plans (*.json)</source>
        <translation>레이어 계획 (*.json)</translation>
    </message>
    <message>
        <source>Save layer plan</source>
        <translation>레이어 계획 저장</translation>
    </message>
    <message>
        <source>&amp;Preset:</source>
        <translation>프리셋(&amp;P):</translation>
    </message>
    <message>
        <source>Ready-made plans: the paper&apos;s defaults, style from fine layers only, structure and style, reference transfer, or sharing only the deeper layers.</source>
        <translation>미리 만든 계획: 논문 기본값, 세밀한 레이어에서만 스타일 반영, 구조와 스타일, 참조 이미지 전이, 깊은 레이어만 공유.</translation>
    </message>
    <message>
        <source>Paper defaults</source>
        <translation>논문 기본값</translation>
    </message>
    <message>
        <source>Reset every layer to the settings of the StyleAligned paper.</source>
        <translation>모든 레이어를 StyleAligned 논문의 설정으로 되돌립니다.</translation>
    </message>
    <message>
        <source>Load plan…</source>
        <translation>계획 불러오기…</translation>
    </message>
    <message>
        <source>Load a layer plan saved as JSON (the same format as the CLI&apos;s --plan).</source>
        <translation>JSON으로 저장한 레이어 계획을 불러옵니다(CLI의 --plan과 같은 형식).</translation>
    </message>
    <message>
        <source>Save plan…</source>
        <translation>계획 저장…</translation>
    </message>
    <message>
        <source>Save this layer plan as JSON for later runs or the CLI.</source>
        <translation>이 레이어 계획을 나중의 실행이나 CLI에서 쓸 수 있도록 JSON으로 저장합니다.</translation>
    </message>
    <message>
        <source>Share GroupNorm statistics</source>
        <translation>GroupNorm 통계 공유</translation>
    </message>
    <message>
        <source>Normalise every image with statistics shared with the reference (keeps colours and contrast alike).</source>
        <translation>모든 이미지를 참조 이미지와 공유하는 통계로 정규화합니다(색상과 대비를 비슷하게 유지).</translation>
    </message>
    <message>
        <source>Share LayerNorm statistics</source>
        <translation>LayerNorm 통계 공유</translation>
    </message>
    <message>
        <source>The same for the transformer&apos;s LayerNorms (SDXL).</source>
        <translation>트랜스포머의 LayerNorm에도 같은 방식을 적용합니다(SDXL).</translation>
    </message>
    <message>
        <source>Full attention sharing (ablation)</source>
        <translation>전체 어텐션 공유 (ablation)</translation>
    </message>
    <message>
        <source>Every image attends to every other image, not only to the reference: the paper&apos;s ablation, which leaks content.</source>
        <translation>각 이미지가 참조 이미지뿐 아니라 다른 모든 이미지에 어텐션합니다. 논문의 ablation 실험으로, 내용이 다른 이미지로 새어 나갑니다.</translation>
    </message>
    <message>
        <source>Layer</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Share</source>
        <translation>공유</translation>
    </message>
    <message>
        <source>Steps</source>
        <translation>단계</translation>
    </message>
    <message>
        <source>Self-attention layers by block and resolution. Select a block to edit all its layers.</source>
        <translation>블록과 해상도별 셀프 어텐션 레이어입니다. 블록을 선택하면 그 안의 모든 레이어를 편집할 수 있습니다.</translation>
    </message>
    <message>
        <source>Selected layers</source>
        <translation>선택한 레이어</translation>
    </message>
    <message>
        <source>Share attention with the reference</source>
        <translation>참조 이미지와 어텐션 공유</translation>
    </message>
    <message>
        <source>Let these layers&apos; queries also attend to the reference image&apos;s keys and values.</source>
        <translation>이 레이어들의 쿼리가 참조 이미지의 키와 값에도 어텐션하도록 합니다.</translation>
    </message>
    <message>
        <source>How much attention goes to the reference: 1 is the paper, 2 doubles it (logits shifted by ln w), 0 turns it off.</source>
        <translation>참조 이미지로 가는 어텐션의 양: 1은 논문 설정, 2는 두 배(로짓을 ln w만큼 이동), 0은 끔.</translation>
    </message>
    <message>
        <source>Scales the reference&apos;s keys for the targets: above 1 sharpens attention on the reference.</source>
        <translation>대상 이미지에 대해 참조 이미지의 키를 스케일합니다. 1보다 크면 참조 이미지에 대한 어텐션이 더 뚜렷해집니다.</translation>
    </message>
    <message>
        <source>How far the targets&apos; queries are normalised to the reference&apos;s statistics (AdaIN).</source>
        <translation>대상 이미지의 쿼리를 참조 이미지의 통계에 맞춰 정규화하는 정도(AdaIN).</translation>
    </message>
    <message>
        <source>How far the targets&apos; keys are normalised to the reference&apos;s statistics (AdaIN).</source>
        <translation>대상 이미지의 키를 참조 이미지의 통계에 맞춰 정규화하는 정도(AdaIN).</translation>
    </message>
    <message>
        <source>How far the targets&apos; values are normalised to the reference&apos;s statistics (AdaIN; off in the paper).</source>
        <translation>대상 이미지의 값을 참조 이미지의 통계에 맞춰 정규화하는 정도(AdaIN, 논문에서는 꺼짐).</translation>
    </message>
    <message>
        <source>Active steps</source>
        <translation>활성 단계</translation>
    </message>
    <message>
        <source>First denoising step at which these layers share.</source>
        <translation>이 레이어들이 공유를 시작하는 첫 디노이징 단계.</translation>
    </message>
    <message>
        <source>Last denoising step at which these layers share (to the end: −1).</source>
        <translation>이 레이어들이 공유하는 마지막 디노이징 단계(끝까지: −1).</translation>
    </message>
    <message>
        <source>end</source>
        <translation>끝</translation>
    </message>
    <message>
        <source>down </source>
        <translation>다운 </translation>
    </message>
    <message>
        <source>up </source>
        <translation>업 </translation>
    </message>
    <message>
        <source>middle</source>
        <translation>미드</translation>
    </message>
    <message>
        <source>%1: layers at %2×%2 tokens</source>
        <translation>%1: %2×%2 토큰 해상도의 레이어</translation>
    </message>
    <message>
        <source>AdaIN</source>
        <translation>AdaIN</translation>
    </message>
    <message>
        <source>attn </source>
        <translation>어텐션 </translation>
    </message>
</context>
<context>
    <name>sa::ui::LoraList</name>
    <message>
        <source>Add LoRA…</source>
        <translation>LoRA 추가…</translation>
    </message>
    <message>
        <source>Add a LoRA file (.safetensors, kohya / A1111 or diffusers format) made for the loaded model&apos;s family. It is read and checked at once; its weight and switch change without reloading.</source>
        <translation>불러온 모델 계열용 LoRA 파일(.safetensors, kohya / A1111 또는 diffusers 형식)을 추가합니다. 바로 읽고 검사하며, 가중치와 켜기/끄기는 다시 불러오지 않고 바뀝니다.</translation>
    </message>
    <message>
        <source>No LoRA: the model as loaded.</source>
        <translation>LoRA 없음: 불러온 모델 그대로.</translation>
    </message>
    <message>
        <source>Use this LoRA (off: as if weight 0, still loaded)</source>
        <translation>이 LoRA 사용(끄면 가중치 0과 같으며 불러온 상태는 유지)</translation>
    </message>
    <message>
        <source>Weight: how strongly the LoRA changes the model (diffusers&apos; scale; 0 = off, 1 = as trained)</source>
        <translation>가중치: LoRA가 모델을 얼마나 바꾸는지(diffusers의 scale, 0 = 끔, 1 = 학습된 그대로)</translation>
    </message>
    <message>
        <source>Remove this LoRA</source>
        <translation>이 LoRA 제거</translation>
    </message>
    <message>
        <source>Add LoRA</source>
        <translation>LoRA 추가</translation>
    </message>
    <message>
        <source>LoRA files (*.safetensors)</source>
        <translation>LoRA 파일 (*.safetensors)</translation>
    </message>
    <message>
        <source>%1 is in the list already: change its weight instead.</source>
        <translation>%1은(는) 이미 목록에 있습니다: 대신 가중치를 바꾸세요.</translation>
    </message>
</context>
<context>
    <name>sa::ui::MainWindow</name>
    <message>
        <source>Reference image</source>
        <translation>참조 이미지</translation>
    </message>
    <message>
        <source>Layer plan</source>
        <translation>레이어 계획</translation>
    </message>
    <message>
        <source>About StyleAligned Studio</source>
        <translation>StyleAligned Studio 정보</translation>
    </message>
    <message>
        <source>&lt;b&gt;StyleAligned Studio&lt;/b&gt; %1&lt;br&gt;Style-aligned image generation via shared attention (Hertz, Voynov, Fruchter, Cohen-Or; CVPR 2024).&lt;br&gt;Drop a reference, name new subjects, and generate a set that shares the reference&apos;s style.</source>
        <translation>&lt;b&gt;StyleAligned Studio&lt;/b&gt; %1&lt;br&gt;공유 어텐션을 이용한 스타일 정렬 이미지 생성 (Hertz, Voynov, Fruchter, Cohen-Or; CVPR 2024).&lt;br&gt;참조 이미지를 놓고 새 대상을 입력하면, 참조 이미지의 스타일을 공유하는 세트를 생성합니다.</translation>
    </message>
    <message>
        <source>StyleAligned Studio</source>
        <translation>StyleAligned Studio</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>파일(&amp;F)</translation>
    </message>
    <message>
        <source>&amp;Open Reference…</source>
        <translation>참조 이미지 열기(&amp;O)…</translation>
    </message>
    <message>
        <source>&amp;Paste Reference</source>
        <translation>참조 이미지 붙여넣기(&amp;P)</translation>
    </message>
    <message>
        <source>Open &amp;Set…</source>
        <translation>세트 열기(&amp;S)…</translation>
    </message>
    <message>
        <source>&amp;Export Set…</source>
        <translation>세트 내보내기(&amp;E)…</translation>
    </message>
    <message>
        <source>Export Se&amp;lected Images…</source>
        <translation>선택한 이미지 내보내기(&amp;L)…</translation>
    </message>
    <message>
        <source>&amp;Load Layer Plan…</source>
        <translation>레이어 계획 불러오기(&amp;L)…</translation>
    </message>
    <message>
        <source>Sa&amp;ve Layer Plan…</source>
        <translation>레이어 계획 저장(&amp;V)…</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>종료(&amp;Q)</translation>
    </message>
    <message>
        <source>&amp;Generate</source>
        <translation>생성(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Generate Set</source>
        <translation>세트 생성(&amp;G)</translation>
    </message>
    <message>
        <source>&amp;Cancel</source>
        <translation>취소(&amp;C)</translation>
    </message>
    <message>
        <source>&amp;Random Seed</source>
        <translation>무작위 시드(&amp;R)</translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation>보기(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>언어(&amp;L)</translation>
    </message>
    <message>
        <source>System language</source>
        <translation>시스템 언어</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>도움말(&amp;H)</translation>
    </message>
    <message>
        <source>&amp;About</source>
        <translation>정보(&amp;A)</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>레이어</translation>
    </message>
    <message>
        <source>Attention</source>
        <translation>어텐션</translation>
    </message>
    <message>
        <source>&amp;Model:</source>
        <translation>모델(&amp;M):</translation>
    </message>
    <message>
        <source>S&amp;eed:</source>
        <translation>시드(&amp;E):</translation>
    </message>
    <message>
        <source>Image i starts from noise seeded with seed + i: the same seed gives the same set.</source>
        <translation>i번째 이미지는 시드 + i로 만든 노이즈에서 시작합니다. 같은 시드는 같은 세트를 만듭니다.</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>고정</translation>
    </message>
    <message>
        <source>Keep the seed between runs (unlocked: a new random seed for every run).</source>
        <translation>실행 사이에 시드를 유지합니다(고정 해제 시 실행마다 새 무작위 시드).</translation>
    </message>
    <message>
        <source>Pick a new random seed (Ctrl+R).</source>
        <translation>새 무작위 시드를 고릅니다 (Ctrl+R).</translation>
    </message>
    <message>
        <source>S&amp;teps:</source>
        <translation>단계(&amp;T):</translation>
    </message>
    <message>
        <source>Denoising steps (DDIM). More steps: finer detail, longer runs.</source>
        <translation>디노이징 단계 수(DDIM). 단계가 많을수록 디테일이 섬세해지지만 실행 시간이 길어집니다.</translation>
    </message>
    <message>
        <source>&amp;Guidance:</source>
        <translation>가이던스(&amp;G):</translation>
    </message>
    <message>
        <source>Classifier-free guidance: how closely the images follow their prompts.</source>
        <translation>Classifier-free 가이던스: 이미지가 프롬프트를 얼마나 충실히 따르는지 정합니다.</translation>
    </message>
    <message>
        <source>Inversion o&amp;ffset:</source>
        <translation>반전 오프셋(&amp;F):</translation>
    </message>
    <message>
        <source>With a reference image: the step of its inverted trajectory that the reference starts from (higher: the reference&apos;s reconstruction is closer to the original).</source>
        <translation>참조 이미지가 있을 때: 반전된 궤적에서 참조 이미지가 시작하는 단계입니다(높을수록 참조 이미지의 재구성이 원본에 더 가까워집니다).</translation>
    </message>
    <message>
        <source>Generate</source>
        <translation>생성</translation>
    </message>
    <message>
        <source>Generate the set: the reference and one new image per subject, in the reference&apos;s style (Ctrl+Enter).</source>
        <translation>세트를 생성합니다: 참조 이미지와, 대상마다 참조 이미지의 스타일로 된 새 이미지 한 장씩 (Ctrl+Enter).</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>취소</translation>
    </message>
    <message>
        <source>Stop the run; the previous set stays (Esc).</source>
        <translation>실행을 중지합니다. 이전 세트는 그대로 남습니다 (Esc).</translation>
    </message>
    <message>
        <source>Ready.</source>
        <translation>준비됨.</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>모델을 불러오는 중…</translation>
    </message>
    <message>
        <source>No model loaded.</source>
        <translation>불러온 모델이 없습니다.</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Could not load the model in %1:
%2

Choose a diffusers folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/).</source>
        <translation>%1의 모델을 불러올 수 없습니다:
%2

diffusers 폴더(model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/)를 선택하세요.</translation>
    </message>
    <message>
        <source>Loading %1…</source>
        <translation>%1 불러오는 중…</translation>
    </message>
    <message>
        <source>Demo model (bundled)</source>
        <translation>데모 모델 (기본 제공)</translation>
    </message>
    <message>
        <source>Subjects</source>
        <translation>대상</translation>
    </message>
    <message>
        <source>Add at least one new subject (one prompt per image).</source>
        <translation>새 대상을 하나 이상 추가하세요(이미지당 프롬프트 하나).</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>캡션</translation>
    </message>
    <message>
        <source>Describe the reference to generate (e.g. &quot;a house, stained glass style&quot;), or drop a reference image.</source>
        <translation>생성할 참조 이미지를 설명하거나(예: &quot;a house, stained glass style&quot;), 참조 이미지를 끌어다 놓으세요.</translation>
    </message>
    <message>
        <source>The reference needs a caption: what it shows and its style (e.g. &quot;a fish, pixel art style&quot;).</source>
        <translation>참조 이미지에 캡션이 필요합니다: 무엇을 보여 주는지와 그 스타일(예: &quot;a fish, pixel art style&quot;).</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>취소하는 중…</translation>
    </message>
    <message>
        <source>Reference</source>
        <translation>참조</translation>
    </message>
    <message>
        <source>%1
seed %2</source>
        <translation>%1
시드 %2</translation>
    </message>
    <message>
        <source>Reusing the cached reference: only the new images run.</source>
        <translation>캐시된 참조 이미지를 재사용합니다. 새 이미지만 생성합니다.</translation>
    </message>
    <message>
        <source>Computing the reference branch (it is cached for the next run).</source>
        <translation>참조 브랜치를 계산하는 중입니다(다음 실행을 위해 캐시됩니다).</translation>
    </message>
    <message>
        <source>Inverting the reference</source>
        <translation>참조 이미지 반전 중</translation>
    </message>
    <message>
        <source>Reference branch</source>
        <translation>참조 브랜치</translation>
    </message>
    <message>
        <source>Generating</source>
        <translation>생성 중</translation>
    </message>
    <message>
        <source>%1: step %2/%3 · %4 elapsed · about %5 left</source>
        <translation>%1: 단계 %2/%3 · %4 경과 · 약 %5 남음</translation>
    </message>
    <message>
        <source>reference reused from the cache</source>
        <translation>캐시에서 참조 이미지 재사용</translation>
    </message>
    <message>
        <source>reference branch %1</source>
        <translation>참조 브랜치 %1</translation>
    </message>
    <message>
        <source>Set of %1 images in %2 (%3). Longest event-loop stall: %4 ms.</source>
        <translation>이미지 %1장 세트, %2 소요 (%3). 최장 이벤트 루프 지연: %4 ms.</translation>
    </message>
    <message>
        <source>Done.</source>
        <translation>완료.</translation>
    </message>
    <message>
        <source>%1
seed %2
judge: %3 (%4 %), %5 style (%6 %)</source>
        <translation>%1
시드 %2
판정: %3 (%4 %), %5 스타일 (%6 %)</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>취소됨.</translation>
    </message>
    <message>
        <source>Failed.</source>
        <translation>실패.</translation>
    </message>
    <message>
        <source>Cancelled: the previous set is shown again.</source>
        <translation>취소됨: 이전 세트를 다시 표시합니다.</translation>
    </message>
    <message>
        <source>Generation failed</source>
        <translation>생성 실패</translation>
    </message>
    <message>
        <source>%1

Check the prompts, the reference and the model, then try again.</source>
        <translation>%1

프롬프트, 참조 이미지, 모델을 확인한 뒤 다시 시도하세요.</translation>
    </message>
    <message>
        <source>No map for this point yet: it is recorded during the next run.</source>
        <translation>이 지점의 맵이 아직 없습니다. 다음 실행 중에 기록됩니다.</translation>
    </message>
    <message>
        <source>Point followed live during the run.</source>
        <translation>실행 중에 실시간으로 추적하는 지점입니다.</translation>
    </message>
    <message>
        <source>Nearest recorded point (8 × 8 grid of the last step).</source>
        <translation>가장 가까운 기록 지점(마지막 단계의 8 × 8 격자).</translation>
    </message>
    <message>
        <source>image %1 of the last set</source>
        <translation>마지막 세트의 이미지 %1</translation>
    </message>
    <message>
        <source>Save image</source>
        <translation>이미지 저장</translation>
    </message>
    <message>
        <source>PNG images (*.png)</source>
        <translation>PNG 이미지 (*.png)</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>내보내기</translation>
    </message>
    <message>
        <source>Nothing to export yet: generate a set first.</source>
        <translation>아직 내보낼 것이 없습니다. 먼저 세트를 생성하세요.</translation>
    </message>
    <message>
        <source>Exported %1 files to %2</source>
        <translation>파일 %1개를 %2(으)로 내보냈습니다</translation>
    </message>
    <message>
        <source>Could not export to %1:
%2</source>
        <translation>%1(으)로 내보낼 수 없습니다:
%2</translation>
    </message>
    <message>
        <source>Export set to folder</source>
        <translation>세트를 폴더로 내보내기</translation>
    </message>
    <message>
        <source>No image is selected: Ctrl+click images to select them.</source>
        <translation>선택한 이미지가 없습니다. Ctrl+클릭으로 이미지를 선택하세요.</translation>
    </message>
    <message>
        <source>Export selected images to folder</source>
        <translation>선택한 이미지를 폴더로 내보내기</translation>
    </message>
    <message>
        <source>Exported %1 images to %2</source>
        <translation>이미지 %1장을 %2(으)로 내보냈습니다</translation>
    </message>
    <message>
        <source>Opened %1</source>
        <translation>%1 열림</translation>
    </message>
    <message>
        <source>Open set</source>
        <translation>세트 열기</translation>
    </message>
    <message>
        <source>Could not open %1:
%2</source>
        <translation>%1을(를) 열 수 없습니다:
%2</translation>
    </message>
    <message>
        <source>Image sets (set.json)</source>
        <translation>이미지 세트 (set.json)</translation>
    </message>
    <message>
        <source>Choose a diffusers model folder</source>
        <translation>diffusers 모델 폴더 선택</translation>
    </message>
    <message>
        <source>Load layer plan</source>
        <translation>레이어 계획 불러오기</translation>
    </message>
    <message>
        <source>Layer plans (*.json)</source>
        <translation>레이어 계획 (*.json)</translation>
    </message>
    <message>
        <source>Save layer plan</source>
        <translation>레이어 계획 저장</translation>
    </message>
    <message>
        <source>Double-click: enlarge · right-click: save or more</source>
        <translation>더블클릭: 확대 · 오른쪽 클릭: 저장 및 기타</translation>
    </message>
    <message>
        <source>Click: see where this point attends in the reference · double-click: enlarge · right-click: re-roll, save or more</source>
        <translation>클릭: 이 지점이 참조 이미지의 어디에 어텐션하는지 보기 · 더블클릭: 확대 · 오른쪽 클릭: 시드 다시 뽑기, 저장 및 기타</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1초</translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation>%1분 %2초</translation>
    </message>
    <message>
        <source>%1, look %2</source>
        <translation>%1, 변형 %2</translation>
    </message>
    <message>
        <source>Open &amp;Checkpoint…</source>
        <translation>체크포인트 열기(&amp;C)…</translation>
    </message>
    <message>
        <source>Open &amp;Model Folder…</source>
        <translation>모델 폴더 열기(&amp;M)…</translation>
    </message>
    <message>
        <source>Checkpoint &amp;Options…</source>
        <translation>체크포인트 옵션(&amp;O)…</translation>
    </message>
    <message>
        <source>Config YAML, prediction type and text-encoder settings of a single-file checkpoint, for files that do not load with the defaults.</source>
        <translation>단일 파일 체크포인트의 설정 YAML, 예측 방식, 텍스트 인코더 설정입니다. 기본값으로 불러오지 못하는 파일에 씁니다.</translation>
    </message>
    <message>
        <source>The diffusion model: the bundled demo model, a single-file checkpoint (.safetensors) or a diffusers folder (SD 1.x, 2.x, SDXL). Drop a checkpoint or a model folder here to open it.</source>
        <translation>디퓨전 모델: 함께 제공되는 데모 모델, 단일 파일 체크포인트(.safetensors) 또는 diffusers 폴더(SD 1.x, 2.x, SDXL). 체크포인트나 모델 폴더를 여기에 끌어다 놓으면 열립니다.</translation>
    </message>
    <message>
        <source>No model: open a checkpoint or a diffusers folder (File ▸ Open Checkpoint…).</source>
        <translation>모델 없음: 체크포인트나 diffusers 폴더를 여세요 (파일 ▸ 체크포인트 열기…).</translation>
    </message>
    <message>
        <source>Stop loading; the model in use stays (Esc).</source>
        <translation>불러오기를 멈춥니다. 사용 중인 모델은 그대로 남습니다 (Esc).</translation>
    </message>
    <message>
        <source>Checking the model…</source>
        <translation>모델 확인 중…</translation>
    </message>
    <message>
        <source>Loading the text encoder…</source>
        <translation>텍스트 인코더 불러오는 중…</translation>
    </message>
    <message>
        <source>Loading text encoder %1…</source>
        <translation>텍스트 인코더 %1 불러오는 중…</translation>
    </message>
    <message>
        <source>Loaded %1</source>
        <translation>%1 불러옴</translation>
    </message>
    <message>
        <source>the demo model</source>
        <translation>데모 모델</translation>
    </message>
    <message>
        <source>Checkpoint options: %1</source>
        <translation>체크포인트 옵션: %1</translation>
    </message>
    <message>
        <source>The loader assumed:</source>
        <translation>불러올 때 가정한 내용:</translation>
    </message>
    <message>
        <source>%1 stays loaded.</source>
        <translation>%1은(는) 계속 사용할 수 있습니다.</translation>
    </message>
    <message>
        <source>The demo model is loaded instead.</source>
        <translation>대신 데모 모델을 불러옵니다.</translation>
    </message>
    <message>
        <source>The demo model</source>
        <translation>데모 모델</translation>
    </message>
    <message>
        <source>Could not load %1:
%2

Real SD 1.x, 2.x and SDXL checkpoints load with the default options; an unusual file may need its config YAML, prediction type or text-encoder heads (Checkpoint Options).</source>
        <translation>%1을(를) 불러올 수 없습니다:
%2

실제 SD 1.x, 2.x, SDXL 체크포인트는 기본 옵션으로 불러와집니다. 특이한 파일에는 설정 YAML, 예측 방식 또는 텍스트 인코더 헤드 수가 필요할 수 있습니다 (체크포인트 옵션).</translation>
    </message>
    <message>
        <source>Loading %1 was cancelled.</source>
        <translation>%1 불러오기를 취소했습니다.</translation>
    </message>
    <message>
        <source>Cancelled: %1 stays loaded.</source>
        <translation>취소됨: %1을(를) 계속 사용합니다.</translation>
    </message>
    <message>
        <source>%1 (in %2)</source>
        <translation>%1 (%2 폴더)</translation>
    </message>
    <message>
        <source>Open checkpoint…</source>
        <translation>체크포인트 열기…</translation>
    </message>
    <message>
        <source>A single-file .safetensors checkpoint (SD 1.x, 2.x, SDXL).</source>
        <translation>단일 파일 .safetensors 체크포인트 (SD 1.x, 2.x, SDXL).</translation>
    </message>
    <message>
        <source>Open model folder…</source>
        <translation>모델 폴더 열기…</translation>
    </message>
    <message>
        <source>A diffusers folder (model_index.json, unet/, vae/, …).</source>
        <translation>diffusers 폴더 (model_index.json, unet/, vae/, …).</translation>
    </message>
    <message>
        <source>Open checkpoint</source>
        <translation>체크포인트 열기</translation>
    </message>
    <message>
        <source>Checkpoints (*.safetensors);;All files (*)</source>
        <translation>체크포인트 (*.safetensors);;모든 파일 (*)</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>설정(&amp;S)</translation>
    </message>
    <message>
        <source>&amp;Models…</source>
        <translation>모델(&amp;M)…</translation>
    </message>
    <message>
        <source>Optional models: a BLIP captioner for references on real models, CLIP and DINO for the metrics chart.</source>
        <translation>선택 모델: 실제 모델에서 참조 이미지를 설명하는 BLIP 캡셔너, 지표 차트를 위한 CLIP과 DINO.</translation>
    </message>
    <message>
        <source>&amp;VAE Tiling</source>
        <translation>VAE 타일링(&amp;V)</translation>
    </message>
    <message>
        <source>&amp;Automatic (large images)</source>
        <translation>자동(큰 이미지)(&amp;A)</translation>
    </message>
    <message>
        <source>Decode large images in overlapping tiles, blended at the seams, when decoding one whole would need more than 2 GiB (SD and SDXL: above about 700,000 pixels).</source>
        <translation>한 번에 디코딩하면 2 GiB 넘게 필요한 큰 이미지는 겹치는 타일로 나누어 디코딩하고 이음매를 섞습니다(SD와 SDXL: 약 70만 픽셀 초과).</translation>
    </message>
    <message>
        <source>A&amp;lways (images larger than a tile)</source>
        <translation>항상(타일보다 큰 이미지)(&amp;L)</translation>
    </message>
    <message>
        <source>Decode in tiles of the VAE&apos;s own size (512 px for SD 1.x, 1024 px for SDXL) every image larger than one tile: the least memory, slightly slower.</source>
        <translation>타일 하나보다 큰 모든 이미지를 VAE 고유 크기(SD 1.x는 512 px, SDXL은 1024 px)의 타일로 디코딩합니다: 메모리가 가장 적게 들고 조금 느립니다.</translation>
    </message>
    <message>
        <source>&amp;Off</source>
        <translation>끄기(&amp;O)</translation>
    </message>
    <message>
        <source>Decode every image whole, as the reference implementation does.</source>
        <translation>참조 구현처럼 모든 이미지를 한 번에 디코딩합니다.</translation>
    </message>
    <message>
        <source>Done. Measuring the set (CLIP / DINO)…</source>
        <translation>완료. 세트를 측정하는 중(CLIP / DINO)…</translation>
    </message>
    <message>
        <source>%1 did not load: see Settings ▸ Models.</source>
        <translation>%1을(를) 불러오지 못했습니다: 설정 ▸ 모델을 확인하세요.</translation>
    </message>
    <message>
        <source>No CLIP text score: %1 holds only the CLIP image tower; the text score needs a full CLIPModel folder (Settings ▸ Models).</source>
        <translation>CLIP 텍스트 점수 없음: %1에는 CLIP 이미지 타워만 있습니다. 텍스트 점수에는 전체 CLIPModel 폴더가 필요합니다(설정 ▸ 모델).</translation>
    </message>
    <message>
        <source>%1 did not load (Settings ▸ Models).</source>
        <translation>%1을(를) 불러오지 못했습니다(설정 ▸ 모델).</translation>
    </message>
    <message>
        <source>Choose CLIP and DINO folders in Settings ▸ Models to measure every set (CLIP text score, DINO set consistency).</source>
        <translation>모든 세트를 측정하려면 설정 ▸ 모델에서 CLIP과 DINO 폴더를 선택하세요(CLIP 텍스트 점수, DINO 세트 일관성).</translation>
    </message>
    <message>
        <source>Measuring the last set failed: %1</source>
        <translation>마지막 세트를 측정하지 못했습니다: %1</translation>
    </message>
    <message>
        <source>CLIP text score %1</source>
        <translation>CLIP 텍스트 점수 %1</translation>
    </message>
    <message>
        <source>DINO set consistency %1</source>
        <translation>DINO 세트 일관성 %1</translation>
    </message>
    <message>
        <source>Done. %1.</source>
        <translation>완료. %1.</translation>
    </message>
    <message>
        <source>the demo judge</source>
        <translation>데모 판정기</translation>
    </message>
    <message>
        <source>Adapters</source>
        <translation>어댑터</translation>
    </message>
    <message>
        <source>LoRAs, a ControlNet, the image size and panoramas</source>
        <translation>LoRA, ControlNet, 이미지 크기와 파노라마</translation>
    </message>
    <message>
        <source>LoRA</source>
        <translation>LoRA</translation>
    </message>
    <message>
        <source>%1: a LoRA is checked against the model it adapts; wait until the model has loaded.</source>
        <translation>%1: LoRA는 적용할 모델에 맞춰 검사합니다. 모델을 다 불러올 때까지 기다리세요.</translation>
    </message>
    <message>
        <source>ControlNet</source>
        <translation>ControlNet</translation>
    </message>
    <message>
        <source>%1 format, %2 layers</source>
        <translation>%1 형식, 레이어 %2개</translation>
    </message>
    <message>
        <source>LoRA %1 added: %2 layers</source>
        <translation>LoRA %1 추가됨: 레이어 %2개</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>시작하는 중…</translation>
    </message>
    <message>
        <source>%1 panoramas, each denoised window by window behind the same reference.</source>
        <translation>파노라마 %1개, 각각 같은 참조 이미지를 바탕으로 창 단위로 노이즈를 제거합니다.</translation>
    </message>
    <message>
        <source>Panorama %1/%2</source>
        <translation>파노라마 %1/%2</translation>
    </message>
    <message>
        <source>panoramas %1 px wide</source>
        <translation>너비 %1 px 파노라마</translation>
    </message>
</context>
<context>
    <name>sa::ui::ModelsDialog</name>
    <message>
        <source>Models</source>
        <translation>모델</translation>
    </message>
    <message>
        <source>Optional models from a model hub, as transformers folders (config.json, model.safetensors, preprocessor_config.json). They load in the background on the model&apos;s device.</source>
        <translation>모델 허브에서 받은 선택 모델입니다. transformers 폴더 형식(config.json, model.safetensors, preprocessor_config.json)이며, 모델과 같은 장치에서 백그라운드로 불러옵니다.</translation>
    </message>
    <message>
        <source>Captioner (BLIP)</source>
        <translation>캡셔너 (BLIP)</translation>
    </message>
    <message>
        <source>Describes a dropped reference on real models (BlipForConditionalGeneration, e.g. Salesforce/blip-image-captioning-base). The demo model keeps its own captioner.</source>
        <translation>실제 모델에서 놓은 참조 이미지를 설명합니다(BlipForConditionalGeneration, 예: Salesforce/blip-image-captioning-base). 데모 모델은 자체 캡셔너를 그대로 씁니다.</translation>
    </message>
    <message>
        <source>CLIP (text score)</source>
        <translation>CLIP (텍스트 점수)</translation>
    </message>
    <message>
        <source>How well each new image shows its subject, without the style words (CLIPModel, e.g. openai/clip-vit-large-patch14).</source>
        <translation>각 새 이미지가 스타일 단어를 뺀 자신의 대상을 얼마나 잘 보여 주는지(CLIPModel, 예: openai/clip-vit-large-patch14).</translation>
    </message>
    <message>
        <source>DINO (set consistency)</source>
        <translation>DINO (세트 일관성)</translation>
    </message>
    <message>
        <source>How alike the set&apos;s images look, the reference included (ViTModel, e.g. facebook/dino-vitb8).</source>
        <translation>참조 이미지를 포함한 세트 이미지들이 얼마나 닮았는지(ViTModel, 예: facebook/dino-vitb8).</translation>
    </message>
    <message>
        <source>Browse…</source>
        <translation>찾아보기…</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
    <message>
        <source>Use no model for this role.</source>
        <translation>이 역할에 모델을 쓰지 않습니다.</translation>
    </message>
    <message>
        <source>No folder</source>
        <translation>폴더 없음</translation>
    </message>
    <message>
        <source>Loading…</source>
        <translation>불러오는 중…</translation>
    </message>
    <message>
        <source>Not set: on real models, type the caption yourself.</source>
        <translation>지정 안 됨: 실제 모델에서는 캡션을 직접 입력하세요.</translation>
    </message>
    <message>
        <source>Not set: no CLIP text score.</source>
        <translation>지정 안 됨: CLIP 텍스트 점수 없음.</translation>
    </message>
    <message>
        <source>Not set: no DINO set consistency.</source>
        <translation>지정 안 됨: DINO 세트 일관성 없음.</translation>
    </message>
    <message>
        <source>Not loaded: %1</source>
        <translation>불러오지 못함: %1</translation>
    </message>
    <message>
        <source>Holds %1. Loaded.</source>
        <translation>%1 폴더입니다. 불러왔습니다.</translation>
    </message>
    <message>
        <source>References are captioned with it on real models.</source>
        <translation>실제 모델에서 참조 이미지의 캡션을 이것으로 만듭니다.</translation>
    </message>
    <message>
        <source>The metrics chart plots the CLIP text score.</source>
        <translation>지표 차트에 CLIP 텍스트 점수를 표시합니다.</translation>
    </message>
    <message>
        <source>This is the image tower only: the CLIP text score needs a full CLIPModel folder (both towers, e.g. openai/clip-vit-large-patch14).</source>
        <translation>이미지 타워만 있습니다: CLIP 텍스트 점수에는 전체 CLIPModel 폴더(두 타워 모두, 예: openai/clip-vit-large-patch14)가 필요합니다.</translation>
    </message>
    <message>
        <source>The metrics chart plots DINO set consistency.</source>
        <translation>지표 차트에 DINO 세트 일관성을 표시합니다.</translation>
    </message>
</context>
<context>
    <name>sa::ui::OverlayPanel</name>
    <message>
        <source>Off</source>
        <translation>끔</translation>
    </message>
    <message>
        <source>Attention on the reference</source>
        <translation>참조 이미지 어텐션</translation>
    </message>
    <message>
        <source>Where a point attends</source>
        <translation>지점의 어텐션 위치</translation>
    </message>
    <message>
        <source>Prompt token</source>
        <translation>프롬프트 토큰</translation>
    </message>
    <message>
        <source>What the heat map over each new image shows.</source>
        <translation>각 새 이미지 위에 표시할 히트맵의 종류입니다.</translation>
    </message>
    <message>
        <source>&amp;Overlay:</source>
        <translation>오버레이(&amp;O):</translation>
    </message>
    <message>
        <source>&amp;Layer:</source>
        <translation>레이어(&amp;L):</translation>
    </message>
    <message>
        <source>The self-attention layer whose maps are shown, or the average of all layers.</source>
        <translation>맵을 표시할 셀프 어텐션 레이어, 또는 모든 레이어의 평균.</translation>
    </message>
    <message>
        <source>Average of all layers</source>
        <translation>모든 레이어 평균</translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation>토큰(&amp;T):</translation>
    </message>
    <message>
        <source>The prompt word whose cross-attention map is shown.</source>
        <translation>크로스 어텐션 맵을 표시할 프롬프트 단어.</translation>
    </message>
    <message>
        <source>&amp;Step:</source>
        <translation>단계(&amp;S):</translation>
    </message>
    <message>
        <source>The denoising step whose maps are shown.</source>
        <translation>맵을 표시할 디노이징 단계.</translation>
    </message>
    <message>
        <source>Live</source>
        <translation>실시간</translation>
    </message>
    <message>
        <source>Follow the latest step while generating.</source>
        <translation>생성 중에 최신 단계를 따라갑니다.</translation>
    </message>
    <message>
        <source>O&amp;pacity:</source>
        <translation>불투명도(&amp;P):</translation>
    </message>
    <message>
        <source>How strongly the heat map covers the image.</source>
        <translation>히트맵이 이미지를 덮는 정도.</translation>
    </message>
    <message>
        <source>Clear point</source>
        <translation>지점 지우기</translation>
    </message>
    <message>
        <source>Remove the query point.</source>
        <translation>쿼리 지점을 제거합니다.</translation>
    </message>
    <message>
        <source>Click a point on a new image to see where it attends in the reference.</source>
        <translation>새 이미지의 한 지점을 클릭하면 그 지점이 참조 이미지의 어디에 어텐션하는지 볼 수 있습니다.</translation>
    </message>
</context>
<context>
    <name>sa::ui::ReferencePane</name>
    <message>
        <source>dropped image</source>
        <translation>끌어다 놓은 이미지</translation>
    </message>
    <message>
        <source>Drop a reference image here
or double-click to open one.

Without an image, the caption below describes a reference that is generated from text.</source>
        <translation>여기에 참조 이미지를 끌어다 놓거나
더블클릭하여 여세요.

이미지가 없으면 아래 캡션이 텍스트로 생성할 참조 이미지를 설명합니다.</translation>
    </message>
    <message>
        <source>&amp;Open…</source>
        <translation>열기(&amp;O)…</translation>
    </message>
    <message>
        <source>Open a reference image whose style the new images should share.</source>
        <translation>새 이미지들이 공유할 스타일의 참조 이미지를 엽니다.</translation>
    </message>
    <message>
        <source>&amp;Paste</source>
        <translation>붙여넣기(&amp;P)</translation>
    </message>
    <message>
        <source>Use the image on the clipboard as the reference.</source>
        <translation>클립보드의 이미지를 참조 이미지로 사용합니다.</translation>
    </message>
    <message>
        <source>Clear</source>
        <translation>지우기</translation>
    </message>
    <message>
        <source>Remove the reference image: the set&apos;s first image is then generated from the caption.</source>
        <translation>참조 이미지를 제거합니다. 그러면 세트의 첫 이미지는 캡션으로부터 생성됩니다.</translation>
    </message>
    <message>
        <source>Re-caption</source>
        <translation>캡션 다시 생성</translation>
    </message>
    <message>
        <source>Example references…</source>
        <translation>예제 참조 이미지…</translation>
    </message>
    <message>
        <source>Reference images that ship with the studio.</source>
        <translation>스튜디오와 함께 제공되는 참조 이미지입니다.</translation>
    </message>
    <message>
        <source>No reference image: text mode.</source>
        <translation>참조 이미지 없음: 텍스트 모드.</translation>
    </message>
    <message>
        <source>%1 (%2×%3)</source>
        <translation>%1 (%2×%3)</translation>
    </message>
    <message>
        <source>pasted image</source>
        <translation>붙여넣은 이미지</translation>
    </message>
    <message>
        <source>The clipboard holds no image. Copy an image (or an image file) first.</source>
        <translation>클립보드에 이미지가 없습니다. 먼저 이미지(또는 이미지 파일)를 복사하세요.</translation>
    </message>
    <message>
        <source>Open reference image</source>
        <translation>참조 이미지 열기</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)</source>
        <translation>이미지 (*.png *.jpg *.jpeg *.bmp *.webp *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Caption the reference again (the demo model&apos;s judge, or the BLIP captioner of Settings ▸ Models).</source>
        <translation>참조 이미지의 캡션을 다시 만듭니다(데모 모델의 판정기 또는 설정 ▸ 모델의 BLIP 캡셔너).</translation>
    </message>
    <message>
        <source>Caption</source>
        <translation>캡션</translation>
    </message>
    <message>
        <source>The prompt of the reference (its DDIM inversion uses it): what it shows, then its style words.</source>
        <translation>참조 이미지의 프롬프트(DDIM 인버전에 사용): 보이는 내용, 그다음 스타일 단어.</translation>
    </message>
    <message>
        <source>&amp;Shows:</source>
        <translation>내용(&amp;S):</translation>
    </message>
    <message>
        <source>e.g. a house</source>
        <translation>예: a house</translation>
    </message>
    <message>
        <source>What the reference shows: its own subject. Only the reference&apos;s prompt uses it.</source>
        <translation>참조 이미지에 보이는 것, 즉 참조 이미지 자체의 대상입니다. 참조 이미지의 프롬프트에만 쓰입니다.</translation>
    </message>
    <message>
        <source>St&amp;yle:</source>
        <translation>스타일(&amp;Y):</translation>
    </message>
    <message>
        <source>Style words are added to every new subject.</source>
        <translation>스타일 단어는 모든 새 대상에 덧붙습니다.</translation>
    </message>
    <message>
        <source>e.g. stained glass style</source>
        <translation>예: stained glass style</translation>
    </message>
    <message>
        <source>Appended to every new subject&apos;s prompt: &quot;a cat&quot; becomes &quot;a cat, &lt;style words&gt;.&quot; Leave empty to send the subjects as typed.</source>
        <translation>모든 새 대상의 프롬프트 뒤에 붙습니다: &quot;a cat&quot;은 &quot;a cat, &lt;스타일 단어&gt;.&quot;가 됩니다. 비워 두면 대상을 입력한 그대로 보냅니다.</translation>
    </message>
    <message>
        <source>captioning…</source>
        <translation>캡션 생성 중…</translation>
    </message>
    <message>
        <source>by %1, edited</source>
        <translation>%1 작성, 편집됨</translation>
    </message>
    <message>
        <source>by %1</source>
        <translation>%1 작성</translation>
    </message>
</context>
<context>
    <name>sa::ui::ResultsGrid</name>
    <message>
        <source>The set appears here: the reference first, then one image per new subject, all in the reference&apos;s style.

Press Generate (Ctrl+Enter).</source>
        <translation>세트가 여기에 표시됩니다: 먼저 참조 이미지, 그다음 새 대상마다 이미지 한 장씩, 모두 참조 이미지의 스타일로.

생성을 누르세요 (Ctrl+Enter).</translation>
    </message>
</context>
<context>
    <name>sa::ui::SubjectList</name>
    <message>
        <source>New &amp;subjects (one prompt each):</source>
        <translation>새 대상(&amp;S) (각각 프롬프트 하나):</translation>
    </message>
    <message>
        <source>Each line becomes one new image in the reference&apos;s style. Double-click to edit, drag to reorder.</source>
        <translation>각 줄이 참조 이미지 스타일의 새 이미지 한 장이 됩니다. 더블클릭하여 편집하고, 끌어서 순서를 바꾸세요.</translation>
    </message>
    <message>
        <source>Add a subject (Ctrl+N)</source>
        <translation>대상 추가 (Ctrl+N)</translation>
    </message>
    <message>
        <source>Ctrl+N</source>
        <translation>Ctrl+N</translation>
    </message>
    <message>
        <source>Remove the selected subject (Delete)</source>
        <translation>선택한 대상 제거 (Delete)</translation>
    </message>
    <message>
        <source>Move the selected subject up</source>
        <translation>선택한 대상을 위로 이동</translation>
    </message>
    <message>
        <source>Move the selected subject down</source>
        <translation>선택한 대상을 아래로 이동</translation>
    </message>
    <message>
        <source>a new subject</source>
        <translation>새 대상</translation>
    </message>
</context>
</TS>
