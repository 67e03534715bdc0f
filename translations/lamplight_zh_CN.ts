<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>BookCard</name>
    <message>
        <source>Book: %1 by %2</source>
        <translation>书：%1，作者 %2</translation>
    </message>
    <message>
        <source>%1 BCE</source>
        <translation>公元前 %1 年</translation>
    </message>
    <message>
        <source>Why it fits: %1</source>
        <translation>推荐理由：%1</translation>
    </message>
    <message>
        <source>Marked as read</source>
        <translation>已标记为读过</translation>
    </message>
    <message>
        <source>Mark as read</source>
        <translation>标记为读过</translation>
    </message>
    <message>
        <source>Mark “%1” as read</source>
        <translation>把《%1》标记为读过</translation>
    </message>
    <message>
        <source>Not shown again</source>
        <translation>不再推荐</translation>
    </message>
    <message>
        <source>Not interested</source>
        <translation>不感兴趣</translation>
    </message>
    <message>
        <source>Not interested in “%1”</source>
        <translation>对《%1》不感兴趣</translation>
    </message>
</context>
<context>
    <name>BookCards</name>
    <message>
        <source>Recommended from the catalogue</source>
        <translation>书目中的推荐</translation>
    </message>
    <message>
        <source>Books from the catalogue that match your request</source>
        <translation>书目中符合你要求的书</translation>
    </message>
</context>
<context>
    <name>BookImport</name>
    <message>
        <source>Import my library</source>
        <translation>导入我的书库</translation>
    </message>
    <message>
        <source>Library exports (*.csv *.db)</source>
        <translation>书库导出文件 (*.csv *.db)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Library import</source>
        <translation>书库导入</translation>
    </message>
</context>
<context>
    <name>ChatView</name>
    <message>
        <source>Lamplight</source>
        <translation>Lamplight</translation>
    </message>
    <message>
        <source>Ask anything. Everything stays on this computer.</source>
        <translation>尽管提问。所有内容都只保存在这台电脑上。</translation>
    </message>
</context>
<context>
    <name>CodeBlock</name>
    <message>
        <source>code</source>
        <translation>代码</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>已复制</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy code</source>
        <translation>复制代码</translation>
    </message>
    <message>
        <source>Code</source>
        <translation>代码</translation>
    </message>
</context>
<context>
    <name>ConversationDelegate</name>
    <message>
        <source>Conversation actions</source>
        <translation>对话操作</translation>
    </message>
    <message>
        <source>Rename…</source>
        <translation>重命名…</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
</context>
<context>
    <name>InputBar</name>
    <message>
        <source>Message (Enter sends, Shift+Enter for a new line)</source>
        <translation>消息（Enter 发送，Shift+Enter 换行）</translation>
    </message>
    <message>
        <source>Message</source>
        <translation>消息</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Stop the answer (Esc)</source>
        <translation>停止回答（Esc）</translation>
    </message>
    <message>
        <source>Send message</source>
        <translation>发送消息</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <source>Dismiss message</source>
        <translation>关闭提示</translation>
    </message>
    <message>
        <source>Settings (Ctrl+,)</source>
        <translation>设置（Ctrl+,）</translation>
    </message>
    <message>
        <source>Choose a model ▾</source>
        <translation>选择模型 ▾</translation>
    </message>
    <message>
        <source>Models (Ctrl+M)</source>
        <translation>模型（Ctrl+M）</translation>
    </message>
    <message>
        <source>Book assistant: answers recommend books from the catalogue and your library</source>
        <translation>图书助手：回答会从书目和你的书库中推荐书</translation>
    </message>
</context>
<context>
    <name>MarkdownMessage</name>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
</context>
<context>
    <name>MessageDelegate</name>
    <message>
        <source>Your message</source>
        <translation>你的消息</translation>
    </message>
    <message>
        <source>Answer</source>
        <translation>回答</translation>
    </message>
    <message>
        <source>Edit your message</source>
        <translation>编辑你的消息</translation>
    </message>
    <message>
        <source>Previous version</source>
        <translation>上一个版本</translation>
    </message>
    <message>
        <source>Next version</source>
        <translation>下一个版本</translation>
    </message>
    <message>
        <source>Copy</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Copy message</source>
        <translation>复制消息</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <source>Edit</source>
        <translation>编辑</translation>
    </message>
    <message>
        <source>Send the edited message</source>
        <translation>发送编辑后的消息</translation>
    </message>
    <message>
        <source>Edit and resend</source>
        <translation>编辑并重新发送</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Regenerate</source>
        <translation>重新生成</translation>
    </message>
    <message>
        <source>Regenerate answer</source>
        <translation>重新生成回答</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <source>cut at the length limit</source>
        <translation>已达到长度上限而截断</translation>
    </message>
</context>
<context>
    <name>ModelPicker</name>
    <message>
        <source>Models</source>
        <translation>模型</translation>
    </message>
    <message>
        <source>Close the model picker</source>
        <translation>关闭模型选择器</translation>
    </message>
    <message>
        <source>Folder: %1</source>
        <translation>文件夹：%1</translation>
    </message>
    <message>
        <source>Change…</source>
        <translation>更改…</translation>
    </message>
    <message>
        <source>Choose another models folder</source>
        <translation>选择其他模型文件夹</translation>
    </message>
    <message>
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <source>Rescan</source>
        <translation>重新扫描</translation>
    </message>
    <message>
        <source>Context</source>
        <translation>上下文</translation>
    </message>
    <message>
        <source>model&apos;s own</source>
        <translation>模型自身的长度</translation>
    </message>
    <message>
        <source>Context length for the memory estimate</source>
        <translation>用于估算内存的上下文长度</translation>
    </message>
    <message>
        <source>No .gguf models in this folder yet. Add a model file, or choose the folder where your models are.</source>
        <translation>此文件夹中还没有 .gguf 模型。请添加一个模型文件，或选择存放模型的文件夹。</translation>
    </message>
    <message>
        <source>Adding…</source>
        <translation>正在添加…</translation>
    </message>
    <message>
        <source>Add model file…</source>
        <translation>添加模型文件…</translation>
    </message>
    <message>
        <source>Link instead of copying</source>
        <translation>创建链接而不是复制</translation>
    </message>
    <message>
        <source>The folder gets a link to the file where it is, so no disk space is used twice.</source>
        <translation>文件夹中只创建指向原文件的链接，不会重复占用磁盘空间。</translation>
    </message>
    <message>
        <source>Loading… %1%</source>
        <translation>正在加载… %1%</translation>
    </message>
    <message>
        <source>Add a GGUF model file</source>
        <translation>添加 GGUF 模型文件</translation>
    </message>
    <message>
        <source>GGUF models (*.gguf)</source>
        <translation>GGUF 模型 (*.gguf)</translation>
    </message>
    <message>
        <source>All files (*)</source>
        <translation>所有文件 (*)</translation>
    </message>
    <message>
        <source>Choose the models folder</source>
        <translation>选择模型文件夹</translation>
    </message>
</context>
<context>
    <name>ModelPickerRow</name>
    <message>
        <source>Load %1</source>
        <translation>加载 %1</translation>
    </message>
    <message>
        <source>%1 cannot be used: %2</source>
        <translation>%1 无法使用：%2</translation>
    </message>
    <message>
        <source>loaded</source>
        <translation>已加载</translation>
    </message>
    <message>
        <source>%1 parameters</source>
        <translation>%1 参数</translation>
    </message>
    <message>
        <source>context %1</source>
        <translation>上下文 %1</translation>
    </message>
    <message>
        <source>needs about %1</source>
        <translation>约需 %1</translation>
    </message>
    <message>
        <source>Tensor formats: %1</source>
        <translation>张量格式：%1</translation>
    </message>
</context>
<context>
    <name>QObject</name>
    <message>
        <source>this link points to %1, which no longer exists: add the model again or delete the link</source>
        <translation>此链接指向的 %1 已不存在：请重新添加模型或删除此链接</translation>
    </message>
</context>
<context>
    <name>SettingsPanel</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Reset generation settings</source>
        <translation>重置生成设置</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Close settings (Esc)</source>
        <translation>关闭设置（Esc）</translation>
    </message>
    <message>
        <source>Generation</source>
        <translation>生成</translation>
    </message>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
</context>
<context>
    <name>SettingsPanelAppearance</name>
    <message>
        <source>Appearance</source>
        <translation>外观</translation>
    </message>
    <message>
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <source>Follow the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>Light</source>
        <translation>浅色</translation>
    </message>
    <message>
        <source>Dark</source>
        <translation>深色</translation>
    </message>
    <message>
        <source>Text size (pixels)</source>
        <translation>文字大小（像素）</translation>
    </message>
    <message>
        <source>Every text in the window grows or shrinks with it.</source>
        <translation>窗口中的所有文字都会随之放大或缩小。</translation>
    </message>
    <message>
        <source>Preview: The quick brown fox jumps over the lazy dog.</source>
        <translation>预览：The quick brown fox jumps over the lazy dog.</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
    <message>
        <source>Keyboard shortcuts</source>
        <translation>键盘快捷键</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Stop the answer; close this panel</source>
        <translation>停止回答；关闭此面板</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Copy the last answer</source>
        <translation>复制最后一条回答</translation>
    </message>
    <message>
        <source>Larger / smaller text</source>
        <translation>放大 / 缩小文字</translation>
    </message>
    <message>
        <source>Move between controls</source>
        <translation>在控件之间移动</translation>
    </message>
    <message>
        <source>Choose a model</source>
        <translation>选择模型</translation>
    </message>
</context>
<context>
    <name>SettingsPanelGeneration</name>
    <message>
        <source>Titles of new conversations</source>
        <translation>新对话的标题</translation>
    </message>
    <message>
        <source>Summarised by the model</source>
        <translation>由模型概括</translation>
    </message>
    <message>
        <source>The first message</source>
        <translation>取第一条消息</translation>
    </message>
    <message>
        <source>Sampling</source>
        <translation>采样</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>温度</translation>
    </message>
    <message>
        <source>0 always picks the most likely word; higher values give more varied answers.</source>
        <translation>0 总是选择可能性最大的词；数值越高，回答越多样。</translation>
    </message>
    <message>
        <source>Top-k</source>
        <translation>Top-k</translation>
    </message>
    <message>
        <source>Choose among the k most likely words only; 0 turns it off.</source>
        <translation>只在可能性最大的 k 个词中选择；0 表示关闭。</translation>
    </message>
    <message>
        <source>Top-p</source>
        <translation>Top-p</translation>
    </message>
    <message>
        <source>Choose among the most likely words that together reach this probability; 1 turns it off.</source>
        <translation>只在累计概率达到此值的最可能的词中选择；1 表示关闭。</translation>
    </message>
    <message>
        <source>Min-p</source>
        <translation>Min-p</translation>
    </message>
    <message>
        <source>Leave out words less likely than this fraction of the most likely one; 0 turns it off.</source>
        <translation>排除概率低于最可能词的这一比例的词；0 表示关闭。</translation>
    </message>
    <message>
        <source>Repeat penalty</source>
        <translation>重复惩罚</translation>
    </message>
    <message>
        <source>Makes words already used less likely; 1 turns it off.</source>
        <translation>降低已出现过的词再次出现的可能性；1 表示关闭。</translation>
    </message>
    <message>
        <source>Repeat penalty window</source>
        <translation>重复惩罚窗口</translation>
    </message>
    <message>
        <source>How many recent tokens the penalty looks at; -1 the whole conversation, 0 none.</source>
        <translation>惩罚考虑最近多少个词元；-1 表示整个对话，0 表示不考虑。</translation>
    </message>
    <message>
        <source>Seed</source>
        <translation>随机种子</translation>
    </message>
    <message>
        <source>-1 draws a new random seed for every answer; any other number repeats answers exactly.</source>
        <translation>-1 表示每次回答都使用新的随机种子；其他任何数字都会让回答完全可重复。</translation>
    </message>
    <message>
        <source>Answer and context</source>
        <translation>回答与上下文</translation>
    </message>
    <message>
        <source>Maximum answer length (tokens)</source>
        <translation>最大回答长度（词元）</translation>
    </message>
    <message>
        <source>0: until the model stops or the context is full.</source>
        <translation>0：直到模型停止或上下文已满。</translation>
    </message>
    <message>
        <source>Context length (tokens)</source>
        <translation>上下文长度（词元）</translation>
    </message>
    <message>
        <source>0: the model&apos;s own, at most 4096. Longer contexts use more memory.</source>
        <translation>0：使用模型自身的长度，最多 4096。上下文越长，占用内存越多。</translation>
    </message>
    <message>
        <source>CPU threads</source>
        <translation>CPU 线程数</translation>
    </message>
    <message>
        <source>0: every hardware thread.</source>
        <translation>0：使用全部硬件线程。</translation>
    </message>
    <message>
        <source>Backend</source>
        <translation>后端</translation>
    </message>
    <message>
        <source>Run the model on</source>
        <translation>运行模型的设备</translation>
    </message>
    <message>
        <source>Running on %1 (%2): %3</source>
        <translation>正在 %1（%2）上运行：%3</translation>
    </message>
    <message>
        <source>Running on %1 (%2).</source>
        <translation>正在 %1（%2）上运行。</translation>
    </message>
    <message>
        <source>Reloading the model: %1</source>
        <translation>正在重新加载模型：%1</translation>
    </message>
    <message>
        <source>Model loading progress</source>
        <translation>模型加载进度</translation>
    </message>
    <message>
        <source>System prompt</source>
        <translation>系统提示词</translation>
    </message>
    <message>
        <source>Default, for every conversation without one of its own:</source>
        <translation>默认值，用于所有没有自己系统提示词的对话：</translation>
    </message>
    <message>
        <source>For example: You are a helpful assistant.</source>
        <translation>例如：你是一个乐于助人的助手。</translation>
    </message>
    <message>
        <source>Default system prompt</source>
        <translation>默认系统提示词</translation>
    </message>
    <message>
        <source>This conversation only (empty: use the default):</source>
        <translation>仅用于此对话（留空则使用默认值）：</translation>
    </message>
    <message>
        <source>Open a conversation to give it a system prompt of its own.</source>
        <translation>打开一个对话，即可为它设置专属的系统提示词。</translation>
    </message>
    <message>
        <source>System prompt of this conversation</source>
        <translation>此对话的系统提示词</translation>
    </message>
</context>
<context>
    <name>Sidebar</name>
    <message>
        <source>+  New chat</source>
        <translation>+  新对话</translation>
    </message>
    <message>
        <source>New chat (Ctrl+N)</source>
        <translation>新对话（Ctrl+N）</translation>
    </message>
    <message>
        <source>Search conversations (Ctrl+F)</source>
        <translation>搜索对话（Ctrl+F）</translation>
    </message>
    <message>
        <source>Search conversations</source>
        <translation>搜索对话</translation>
    </message>
    <message>
        <source>Nothing found</source>
        <translation>未找到任何结果</translation>
    </message>
    <message>
        <source>No conversations yet</source>
        <translation>还没有对话</translation>
    </message>
    <message>
        <source>Deleted “%1”</source>
        <translation>已删除“%1”</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Undo delete</source>
        <translation>撤销删除</translation>
    </message>
    <message>
        <source>Rename conversation</source>
        <translation>重命名对话</translation>
    </message>
    <message>
        <source>New title</source>
        <translation>新标题</translation>
    </message>
    <message>
        <source>More ways to start a chat</source>
        <translation>更多新对话方式</translation>
    </message>
    <message>
        <source>Book assistant (Ctrl+Shift+N)</source>
        <translation>图书助手（Ctrl+Shift+N）</translation>
    </message>
    <message>
        <source>Import my library…</source>
        <translation>导入我的书库…</translation>
    </message>
</context>
<context>
    <name>StatusBar</name>
    <message>
        <source>Loading %1</source>
        <translation>正在加载 %1</translation>
    </message>
    <message>
        <source>Loading the model</source>
        <translation>正在加载模型</translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation>%1 %</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <source>Cancel loading the model (Esc)</source>
        <translation>取消加载模型（Esc）</translation>
    </message>
    <message>
        <source>No model</source>
        <translation>未加载模型</translation>
    </message>
    <message>
        <source>%1 tokens/s</source>
        <translation>%1 词元/秒</translation>
    </message>
    <message>
        <source>context %1 / %2</source>
        <translation>上下文 %1 / %2</translation>
    </message>
</context>
<context>
    <name>lamp::app::AppController</name>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
    <message>
        <source>The history could not be opened: see the message above.</source>
        <translation>无法打开历史记录：请查看上方的消息。</translation>
    </message>
    <message>
        <source>Loading the model…</source>
        <translation>正在加载模型…</translation>
    </message>
    <message>
        <source>No model loaded: choose a GGUF model file to start chatting.</source>
        <translation>未加载模型：请选择一个 GGUF 模型文件开始聊天。</translation>
    </message>
</context>
<context>
    <name>lamp::app::BookAssistantController</name>
    <message>
        <source>The book assistant could not open its books database (%1): %2</source>
        <translation>图书助手无法打开图书数据库（%1）：%2</translation>
    </message>
    <message>
        <source>“%1” was not among the books found for this request: not verified.</source>
        <translation>“%1”不在为这次请求找到的书中：未经核实。</translation>
    </message>
    <message>
        <source>“%1” is not in the catalogue: the model may have invented it.</source>
        <translation>“%1”不在书目中：可能是模型编造的。</translation>
    </message>
    <message>
        <source>%1 library: %2 books imported (%3 found in the catalogue, %4 added to it), %5 rows skipped.</source>
        <translation>%1 书库：导入了 %2 本书（%3 本在书目中找到，%4 本新加入书目），跳过 %5 行。</translation>
    </message>
    <message>
        <source>Line %1 skipped: %2</source>
        <translation>已跳过第 %1 行：%2</translation>
    </message>
    <message>
        <source>…and %1 more.</source>
        <translation>……还有 %1 行。</translation>
    </message>
    <message>
        <source>Nothing was imported from %1: %2</source>
        <translation>没有从 %1 导入任何内容：%2</translation>
    </message>
    <message>
        <source>Nothing was imported: the books database could not be opened (see the message above).</source>
        <translation>没有导入任何内容：无法打开图书数据库（请查看上方的消息）。</translation>
    </message>
</context>
<context>
    <name>lamp::app::ConversationListModel</name>
    <message>
        <source>Today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>Yesterday</source>
        <translation>昨天</translation>
    </message>
    <message>
        <source>Previous 7 days</source>
        <translation>过去 7 天</translation>
    </message>
    <message>
        <source>Older</source>
        <translation>更早</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <source>Results</source>
        <translation>搜索结果</translation>
    </message>
    <message>
        <source>New chat</source>
        <translation>新对话</translation>
    </message>
</context>
<context>
    <name>lamp::app::ModelLibrary</name>
    <message>
        <source>%1 does not exist: choose the model file again.</source>
        <translation>%1 不存在：请重新选择模型文件。</translation>
    </message>
    <message>
        <source>%1 is not a file: choose a .gguf model file.</source>
        <translation>%1 不是文件：请选择一个 .gguf 模型文件。</translation>
    </message>
    <message>
        <source>%1 is not a GGUF model (the name does not end in .gguf): choose a .gguf file.</source>
        <translation>%1 不是 GGUF 模型（文件名不以 .gguf 结尾）：请选择 .gguf 文件。</translation>
    </message>
    <message>
        <source>%1 was not added: %2</source>
        <translation>未能添加 %1：%2</translation>
    </message>
    <message>
        <source>%1 is already in the models folder.</source>
        <translation>%1 已在模型文件夹中。</translation>
    </message>
    <message>
        <source>A file named %1 is already in the models folder (%2): to add this one as well, rename it first.</source>
        <translation>模型文件夹中已有名为 %1 的文件（%2）：如果也要添加这个文件，请先将其重命名。</translation>
    </message>
    <message>
        <source>The models folder %1 could not be created: check its permissions or choose another folder.</source>
        <translation>无法创建模型文件夹 %1：请检查其权限，或选择其他文件夹。</translation>
    </message>
    <message>
        <source>Could not link %1 into %2: %3.</source>
        <translation>无法将 %1 链接到 %2：%3。</translation>
    </message>
    <message>
        <source>Could not copy %1 into %2: %3 (is the disk full?).</source>
        <translation>无法将 %1 复制到 %2：%3（磁盘是否已满？）。</translation>
    </message>
    <message>
        <source>Could not rename %1 to %2: %3.</source>
        <translation>无法将 %1 重命名为 %2：%3。</translation>
    </message>
</context>
<context>
    <name>lamp::app::Settings</name>
    <message>
        <source>Auto (the best GPU that fits, else the CPU)</source>
        <translation>自动（选择放得下模型的最佳 GPU，否则使用 CPU）</translation>
    </message>
    <message>
        <source>CPU</source>
        <translation>CPU</translation>
    </message>
    <message>
        <source>GPU %1: %2</source>
        <translation>GPU %1：%2</translation>
    </message>
    <message>
        <source>GPU %1 (not found)</source>
        <translation>GPU %1（未找到）</translation>
    </message>
    <message>
        <source> (not usable: %1)</source>
        <translation>（不可用：%1）</translation>
    </message>
</context>
</TS>
