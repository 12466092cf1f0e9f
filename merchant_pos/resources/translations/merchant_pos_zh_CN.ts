<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AccountUnlockDialog</name>
    <message>
        <source>Unlock {0}</source>
        <translation>解锁 {0}</translation>
    </message>
    <message>
        <source>A supervisor&apos;s PIN unlocks {0} at once. A locked supervisor can use another supervisor, the shop&apos;s recovery code, or a one-time unlock code from the foundation.</source>
        <translation>主管输入密码可立即解锁 {0}。被锁定的主管可请另一位主管解锁，或使用本店的恢复码，或基金会提供的一次性解锁码。</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>Supervisor&apos;s PIN</source>
        <translation>主管密码</translation>
    </message>
    <message>
        <source>or a recovery / unlock code</source>
        <translation>或输入恢复码 / 解锁码</translation>
    </message>
    <message>
        <source>only if the old PIN no longer works</source>
        <translation>仅在原密码已无法使用时填写</translation>
    </message>
    <message>
        <source>New PIN, with the foundation&apos;s code</source>
        <translation>新密码（与基金会解锁码一起）</translation>
    </message>
    <message>
        <source>Enter a supervisor and PIN, or a code</source>
        <translation>请填写主管和密码，或输入一个码</translation>
    </message>
</context>
<context>
    <name>BeneficiaryCard</name>
    <message>
        <source>No customer yet</source>
        <translation>等待顾客</translation>
    </message>
    <message>
        <source>Scan the beneficiary&apos;s code to begin</source>
        <translation>请扫描受助人的受助码</translation>
    </message>
    <message>
        <source>Beneficiary {0}</source>
        <translation>受助人 {0}</translation>
    </message>
    <message>
        <source>{0} · valid until {1}</source>
        <translation>{0} · 有效期至 {1}</translation>
    </message>
    <message>
        <source>{0}: not active now</source>
        <translation>{0}：当前不可用</translation>
    </message>
    <message>
        <source>in total</source>
        <translation>总计</translation>
    </message>
    <message>
        <source>today</source>
        <translation>今天</translation>
    </message>
    <message>
        <source>this week</source>
        <translation>本周</translation>
    </message>
    <message>
        <source>this month</source>
        <translation>本月</translation>
    </message>
    <message>
        <source>this year</source>
        <translation>今年</translation>
    </message>
    <message>
        <source>{0} voucher, used</source>
        <translation>{0} 券，已使用</translation>
    </message>
    <message>
        <source>{0} left {1}</source>
        <translation>{1}剩余 {0}</translation>
    </message>
    <message>
        <source> (single use)</source>
        <translation>（一次性）</translation>
    </message>
    <message>
        <source>{0} of {1} left {2}, up to {3} each</source>
        <translation>{2}剩余 {0}/{1} 次，每次最多 {3}</translation>
    </message>
</context>
<context>
    <name>CameraPage</name>
    <message>
        <source>Camera {0}</source>
        <translation>摄像头 {0}</translation>
    </message>
    <message>
        <source>None (barcode scanner only)</source>
        <translation>不用摄像头（只用扫码枪）</translation>
    </message>
    <message>
        <source>zxing (faster, reads more)</source>
        <translation>zxing（更快，识别更多）</translation>
    </message>
    <message>
        <source>Show preview</source>
        <translation>显示预览</translation>
    </message>
    <message>
        <source>The camera changes as soon as you press OK.</source>
        <translation>按“确定”后立即换用此摄像头。</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>QR decoder</source>
        <translation>二维码识别器</translation>
    </message>
    <message>
        <source>No camera</source>
        <translation>没有摄像头</translation>
    </message>
    <message>
        <source>Scan with the barcode scanner</source>
        <translation>请用扫码枪扫码</translation>
    </message>
</context>
<context>
    <name>CartEntry</name>
    <message>
        <source>Unit price in yuan, e.g. 12.50</source>
        <translation>单价（元），如 12.50</translation>
    </message>
    <message>
        <source>Quantity: {0} / {1}</source>
        <translation>数量：{0} / {1}</translation>
    </message>
    <message>
        <source>Add to cart</source>
        <translation>加入清单</translation>
    </message>
    <message>
        <source>Choose a category first</source>
        <translation>请先选择类别</translation>
    </message>
    <message>
        <source>Type the price in yuan, for example 12.50</source>
        <translation>请输入以元为单位的价格，例如 12.50</translation>
    </message>
    <message>
        <source>The price must be more than zero</source>
        <translation>价格必须大于零</translation>
    </message>
</context>
<context>
    <name>CartTableModel</name>
    <message>
        <source>Category</source>
        <translation>类别</translation>
    </message>
    <message>
        <source>Qty</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>补助</translation>
    </message>
    <message>
        <source>Customer pays</source>
        <translation>顾客支付</translation>
    </message>
    <message>
        <source>Note</source>
        <translation>说明</translation>
    </message>
    <message>
        <source>Partly covered: the limit for this category is reached after {0}</source>
        <translation>部分抵扣：此类别的额度抵扣 {0} 后已用完</translation>
    </message>
    <message>
        <source>Not covered: this code does not cover this category</source>
        <translation>不予抵扣：此码不包含该类别</translation>
    </message>
    <message>
        <source>Not covered: the entitlement for this category is not active now</source>
        <translation>不予抵扣：该类别的权益当前不可用</translation>
    </message>
    <message>
        <source>Not covered: the limit for this category is used up</source>
        <translation>不予抵扣：该类别的额度已用完</translation>
    </message>
</context>
<context>
    <name>CounterLock</name>
    <message>
        <source>Locked after {0} minutes without activity. {1}, enter your PIN to go on.</source>
        <translation>{0} 分钟未操作，已锁屏。{1}，请输入密码继续。</translation>
    </message>
    <message>
        <source>Locked by {0}. Enter the PIN to go on.</source>
        <translation>{0} 已锁屏。请输入密码继续。</translation>
    </message>
    <message>
        <source>The counter is locked: the scan was not processed. Sign in first.</source>
        <translation>已锁屏：刚才的扫码未处理。请先登录。</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Sign in as {0}</source>
        <translation>以 {0} 登录</translation>
    </message>
    <message>
        <source>Choose a new PIN to go on.</source>
        <translation>请先设置新密码再继续。</translation>
    </message>
    <message>
        <source>Operator: {0}</source>
        <translation>操作员：{0}</translation>
    </message>
    <message>
        <source>PIN changed. Press Confirm again.</source>
        <translation>密码已修改，请再按一次“确认核销”。</translation>
    </message>
    <message>
        <source>Unlocked. Enter the PIN.</source>
        <translation>已解锁，请输入密码。</translation>
    </message>
</context>
<context>
    <name>CounterPage</name>
    <message>
        <source>Confirm on the scan (single-item programs)</source>
        <translation>扫码即核销（单一商品项目）</translation>
    </message>
    <message>
        <source>For a canteen or clinic: the scan alone records the standard item, never twice for the same code without another code or Esc in between. The clerk has {0} seconds to undo (Ctrl+Z).</source>
        <translation>适用于食堂或卫生室：扫码即记录常用商品；同一个码在未扫其他码或按 Esc 之前不会重复核销。收银员有 {0} 秒可以撤销（Ctrl+Z）。</translation>
    </message>
    <message>
        <source>Sounds for accepted, refused and nothing covered</source>
        <translation>核销成功、被拒绝和无可抵扣时播放提示音</translation>
    </message>
    <message>
        <source>Text size</source>
        <translation>字体大小</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>收银台</translation>
    </message>
</context>
<context>
    <name>CounterTexts</name>
    <message>
        <source>Scan the customer&apos;s code</source>
        <translation>请扫描顾客的受助码</translation>
    </message>
    <message>
        <source>Scanner, camera, photo (Ctrl+O) or paste a screenshot (Ctrl+V)</source>
        <translation>可用扫码枪、摄像头、图片（Ctrl+O）或粘贴截图（Ctrl+V）</translation>
    </message>
    <message>
        <source>Checking the code…</source>
        <translation>正在核验受助码…</translation>
    </message>
    <message>
        <source>This is not a beneficiary code</source>
        <translation>这不是受助码</translation>
    </message>
    <message>
        <source>Ask the customer to open the code in the aid app.</source>
        <translation>请顾客在救助应用中打开受助码。</translation>
    </message>
    <message>
        <source>Nothing was recorded. Ask the customer to refresh the code in the aid app, or to call the foundation.</source>
        <translation>未做任何记录。请顾客在救助应用中刷新受助码，或联系基金会。</translation>
    </message>
    <message>
        <source>Nothing was recorded.</source>
        <translation>未做任何记录。</translation>
    </message>
    <message>
        <source>Something went wrong: {0}. Nothing was recorded.</source>
        <translation>出现错误：{0}。本次未记录任何内容。</translation>
    </message>
    <message>
        <source>{0}: nothing left to use here</source>
        <translation>{0}：本店没有可用的额度</translation>
    </message>
    <message>
        <source>The entitlements for this shop are used up or not active now. The customer pays the full price; Esc for the next customer.</source>
        <translation>本店可用的权益已用完或当前不可用，顾客需全额支付；按 Esc 接待下一位。</translation>
    </message>
    <message>
        <source>{0}: code valid</source>
        <translation>{0}：受助码有效</translation>
    </message>
    <message>
        <source>Pick a category (F1-F4) and type the price, or add a standard item (F5-F8).</source>
        <translation>选择类别（F1-F4）并输入价格，或添加常用商品（F5-F8）。</translation>
    </message>
    <message>
        <source>Nothing in this cart is covered</source>
        <translation>购物车中没有可抵扣的商品</translation>
    </message>
    <message>
        <source>The customer pays the full amount. Remove the line (Del) or Esc for the next customer.</source>
        <translation>顾客需全额支付。可删除该行（Del），或按 Esc 接待下一位。</translation>
    </message>
    <message>
        <source>Enter to confirm · customer pays {0}</source>
        <translation>按 Enter 确认 · 顾客支付 {0}</translation>
    </message>
    <message>
        <source>Covered {0} of {1}.</source>
        <translation>共 {1}，抵扣 {0}。</translation>
    </message>
    <message>
        <source>Warning: the {0} voucher of {1} is single-use; this cart uses {2} of it and {3} will be forfeited.</source>
        <translation>注意：{0} 的 {1} 券只能使用一次；本单只用 {2}，剩余 {3} 将作废。</translation>
    </message>
    <message>
        <source>Recorded · receipt {0}</source>
        <translation>核销成功 · 小票 {0}</translation>
    </message>
    <message>
        <source>Covered {0} · customer pays {1}. Next customer: scan the code.</source>
        <translation>抵扣 {0} · 顾客支付 {1}。下一位请扫码。</translation>
    </message>
    <message>
        <source>Undone: receipt {0} is void</source>
        <translation>已撤销：小票 {0} 已作废</translation>
    </message>
    <message>
        <source>Nothing was redeemed. Scan the code again if needed.</source>
        <translation>本单未核销。如需要请重新扫码。</translation>
    </message>
    <message>
        <source>Answer first: Enter or Esc</source>
        <translation>请先回答：按 Enter 或 Esc</translation>
    </message>
    <message>
        <source>The last code scanned was not used; scan it again afterwards. Enter: serve the new customer. Esc: keep this cart.</source>
        <translation>刚扫的码未使用，请稍后重新扫描。Enter：接待新顾客。Esc：保留当前购物车。</translation>
    </message>
    <message>
        <source>A new code was scanned</source>
        <translation>扫到了新的受助码</translation>
    </message>
    <message>
        <source>This cart is not confirmed yet. Enter: discard it and serve the new customer. Esc: keep this cart.</source>
        <translation>当前购物车尚未确认。Enter：放弃当前购物车，接待新顾客。Esc：保留当前购物车。</translation>
    </message>
    <message>
        <source>Cart kept; the new code was not used</source>
        <translation>已保留购物车，新扫的码未使用</translation>
    </message>
    <message>
        <source>Confirm this cart (Enter), then scan the new code again.</source>
        <translation>请先确认当前购物车（Enter），再重新扫描新码。</translation>
    </message>
    <message>
        <source>Code received</source>
        <translation>已收到受助码</translation>
    </message>
    <message>
        <source>It is checked as soon as the current step ends.</source>
        <translation>当前操作结束后立即核验。</translation>
    </message>
    <message>
        <source>Another code is already waiting</source>
        <translation>已有一个受助码在等待</translation>
    </message>
    <message>
        <source>Scan this code again when the counter is ready.</source>
        <translation>请在收银台就绪后重新扫描此码。</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
</context>
<context>
    <name>CounterView</name>
    <message>
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>小票</translation>
    </message>
    <message>
        <source>Serve the new customer</source>
        <translation>接待新顾客</translation>
    </message>
    <message>
        <source>Keep this cart</source>
        <translation>保留购物车</translation>
    </message>
    <message>
        <source>Open photo…</source>
        <translation>打开图片…</translation>
    </message>
    <message>
        <source>Type code…</source>
        <translation>手动输入…</translation>
    </message>
    <message>
        <source>Next customer</source>
        <translation>下一位顾客</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除此行</translation>
    </message>
    <message>
        <source>Confirm redemption</source>
        <translation>确认核销</translation>
    </message>
    <message>
        <source>Receipt {0} · total {1} · covered {2}</source>
        <translation>小票 {0} · 合计 {1} · 抵扣 {2}</translation>
    </message>
    <message>
        <source>Customer pays {0}</source>
        <translation>顾客支付 {0}</translation>
    </message>
    <message>
        <source>Total {0}   Covered {1}</source>
        <translation>合计 {0}   补助 {1}</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <source>Merchant POS — {0}</source>
        <translation>惠民收银台 — {0}</translation>
    </message>
    <message>
        <source>Scan with the barcode scanner</source>
        <translation>请用扫码枪扫描受助码</translation>
    </message>
    <message>
        <source>Records</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
</context>
<context>
    <name>EnrollDialog</name>
    <message>
        <source>Connect this counter</source>
        <translation>连接本收银台</translation>
    </message>
    <message>
        <source>Type the server address and the one-time enrollment code from the foundation. You need the internet only for this step; afterwards the counter also works offline.</source>
        <translation>请输入基金会提供的服务器地址和一次性注册码。只有这一步需要联网，之后收银台离线也能使用。</translation>
    </message>
    <message>
        <source>Only if the foundation gave you a certificate file</source>
        <translation>仅当基金会提供了证书文件时填写</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Enrollment code</source>
        <translation>注册码</translation>
    </message>
    <message>
        <source>Name of this computer</source>
        <translation>本机名称</translation>
    </message>
    <message>
        <source>Certificate (optional)</source>
        <translation>证书（可选）</translation>
    </message>
    <message>
        <source>Certificate file</source>
        <translation>证书文件</translation>
    </message>
    <message>
        <source>Certificates (*.pem *.crt)</source>
        <translation>证书 (*.pem *.crt)</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
</context>
<context>
    <name>FinalSync</name>
    <message>
        <source>{0} redemptions are not uploaded yet: trying a last sync (at most {1} seconds)…</source>
        <translation>还有 {0} 笔核销未上传：正在最后同步一次（最多 {1} 秒）…</translation>
    </message>
</context>
<context>
    <name>FirstSupervisorDialog</name>
    <message>
        <source>Set up this counter</source>
        <translation>设置收银台</translation>
    </message>
    <message>
        <source>Create the first supervisor. Supervisors approve voids and add cashiers. Choose a PIN that is not easy to guess (not 0000, 1234 or 1212).</source>
        <translation>请创建第一位主管。主管负责批准作废和添加收银员。请选一个不易被猜到的密码（不要用0000、1234或1212）。</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>PIN (4-12 digits)</source>
        <translation>密码（4-12位数字）</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再次输入密码</translation>
    </message>
    <message>
        <source>The two PINs differ</source>
        <translation>两次输入的密码不一致</translation>
    </message>
</context>
<context>
    <name>LanguagePage</name>
    <message>
        <source>As the computer is set</source>
        <translation>跟随电脑设置</translation>
    </message>
    <message>
        <source>The counter switches to the new language when you press OK; during a sale, as soon as the cart is empty.</source>
        <translation>按“确定”后收银台立即换成新语言；正在结账时，等这位顾客的购物清单清空后再换。</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>语言</translation>
    </message>
</context>
<context>
    <name>LanguageSwitch</name>
    <message>
        <source>Saved. The new language applies after this customer, as soon as the cart is empty.</source>
        <translation>已保存。新语言在这位顾客结账后、购物清单清空时生效。</translation>
    </message>
    <message>
        <source>The counter now uses the new language.</source>
        <translation>收银台已换成新语言。</translation>
    </message>
</context>
<context>
    <name>LockScreen</name>
    <message>
        <source>Counter locked</source>
        <translation>已锁屏</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Switch operator</source>
        <translation>切换操作员</translation>
    </message>
    <message>
        <source>Locked out? Unlock an account…</source>
        <translation>账号被锁？解锁账号…</translation>
    </message>
</context>
<context>
    <name>NewOperatorDialog</name>
    <message>
        <source>Add an operator</source>
        <translation>添加操作员</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>PIN (4-12 digits)</source>
        <translation>密码（4到12位数字）</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再输一次密码</translation>
    </message>
    <message>
        <source>The two PINs differ</source>
        <translation>两次输入的密码不同</translation>
    </message>
</context>
<context>
    <name>PhotoInput</name>
    <message>
        <source>Choose a photo or screenshot of the code</source>
        <translation>选择受助码的照片或截图</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff *.gif)</translation>
    </message>
</context>
<context>
    <name>PrinterPage</name>
    <message>
        <source>Receipt printer (ESC/POS: network, USB, serial, file)</source>
        <translation>小票打印机（ESC/POS：网络、USB、串口、文件）</translation>
    </message>
    <message>
        <source>System printer (its own driver, no dialog)</source>
        <translation>系统打印机（用其驱动程序，不弹对话框）</translation>
    </message>
    <message>
        <source>Looking for printers…</source>
        <translation>正在查找打印机…</translation>
    </message>
    <message>
        <source>Network: tcp://address:9100 · USB: usb://0416:5011 · serial: serial:///dev/ttyUSB0?baud=9600 or serial://COM3 · Windows printer: win32://POS-58 · file: file:///path</source>
        <translation>网络：tcp://地址:9100 · USB：usb://0416:5011 · 串口：serial:///dev/ttyUSB0?baud=9600 或 serial://COM3 · Windows 打印机：win32://POS-58 · 文件：file:///路径</translation>
    </message>
    <message>
        <source>58 mm (32 columns)</source>
        <translation>58 毫米（32 列）</translation>
    </message>
    <message>
        <source>80 mm (48 columns)</source>
        <translation>80 毫米（48 列）</translation>
    </message>
    <message>
        <source>Print the receipt when a redemption is confirmed</source>
        <translation>确认兑换后自动打印凭条</translation>
    </message>
    <message>
        <source>Open the cash drawer after a receipt</source>
        <translation>打印凭条后打开钱箱</translation>
    </message>
    <message>
        <source>Test print</source>
        <translation>打印测试页</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <source>Printer</source>
        <translation>打印机</translation>
    </message>
    <message>
        <source>System printer</source>
        <translation>系统打印机</translation>
    </message>
    <message>
        <source>Paper</source>
        <translation>纸宽</translation>
    </message>
    <message>
        <source>Receipt language</source>
        <translation>凭条语言</translation>
    </message>
    <message>
        <source>{0} (not found)</source>
        <translation>{0}（未找到）</translation>
    </message>
    <message>
        <source>No system printers found</source>
        <translation>未找到系统打印机</translation>
    </message>
    <message>
        <source>Choose a system printer (none is installed on this computer)</source>
        <translation>请选择系统打印机（本机未安装任何打印机）</translation>
    </message>
    <message>
        <source>Enter the printer&apos;s address first</source>
        <translation>请先填写打印机地址</translation>
    </message>
    <message>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <source>Test page sent to the printer.</source>
        <translation>测试页已发送到打印机。</translation>
    </message>
</context>
<context>
    <name>Receipt</name>
    <message>
        <source>Receipt {0}</source>
        <translation>小票 {0}</translation>
    </message>
    <message>
        <source>Beneficiary {0}</source>
        <translation>受助人 {0}</translation>
    </message>
    <message>
        <source>  price {0}  covered {1}</source>
        <translation>  价格 {0}  补助 {1}</translation>
    </message>
    <message>
        <source>Total {0}</source>
        <translation>合计 {0}</translation>
    </message>
    <message>
        <source>Covered by aid {0}</source>
        <translation>补助金额 {0}</translation>
    </message>
    <message>
        <source>Customer paid {0}</source>
        <translation>顾客已付 {0}</translation>
    </message>
    <message>
        <source>Keep this receipt. Questions: ask the shop.</source>
        <translation>请保留小票，如有疑问请咨询店员。</translation>
    </message>
</context>
<context>
    <name>ReceiptDialog</name>
    <message>
        <source>Receipt {0}</source>
        <translation>小票 {0}</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Sent to the printer</source>
        <translation>已发送到打印机</translation>
    </message>
</context>
<context>
    <name>ReceiptTableModel</name>
    <message>
        <source>Waiting to upload</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Conflict: over the limit elsewhere</source>
        <translation>冲突：已在别处超额使用</translation>
    </message>
    <message>
        <source>Rejected by the server</source>
        <translation>服务器已拒绝</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>小票号</translation>
    </message>
    <message>
        <source>Beneficiary</source>
        <translation>受助人</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>补助</translation>
    </message>
    <message>
        <source>Customer paid</source>
        <translation>顾客已付</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
</context>
<context>
    <name>RecordsDialog</name>
    <message>
        <source>Records</source>
        <translation>记录</translation>
    </message>
    <message>
        <source>Receipt number or beneficiary id (all days)</source>
        <translation>单号或受助人编号（全部日期）</translation>
    </message>
    <message>
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <source>Day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Void selected…</source>
        <translation>撤销所选…</translation>
    </message>
    <message>
        <source>Reprint</source>
        <translation>重印</translation>
    </message>
    <message>
        <source>Print the day&apos;s settlement</source>
        <translation>打印当日日结</translation>
    </message>
    <message>
        <source>Day settlement</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>reconciled with the foundation</source>
        <translation>已与基金会对账一致</translation>
    </message>
    <message>
        <source>changed since reconciled: check again</source>
        <translation>对账后有变化，请重新对账</translation>
    </message>
    <message>
        <source>differences with the foundation</source>
        <translation>与基金会对账有差异</translation>
    </message>
    <message>
        <source>not reconciled yet</source>
        <translation>尚未对账</translation>
    </message>
    <message numerus="yes">
        <source>%n redemption(s)</source>
        <translation>
            <numerusform>%n 笔核销</numerusform>
        </translation>
    </message>
    <message>
        <source>{0}: {1} · covered by aid {2} · customers paid {3} · voided {4} · reimbursable {5} · {6}</source>
        <translation>{0}：{1} · 补助 {2} · 顾客支付 {3} · 已撤销 {4} · 应结算 {5} · {6}</translation>
    </message>
    <message>
        <source>Choose a redemption first</source>
        <translation>请先选择一笔核销记录</translation>
    </message>
    <message>
        <source>No receipt printer is set up</source>
        <translation>尚未设置凭条打印机</translation>
    </message>
    <message>
        <source>Reprinting receipt {0}</source>
        <translation>正在重印凭条 {0}</translation>
    </message>
    <message>
        <source>The settlement of {0} was sent to the printer</source>
        <translation>{0} 的日结已发送到打印机</translation>
    </message>
    <message>
        <source>Void receipt {0} ({1} covered)?</source>
        <translation>撤销小票 {0}（补助 {1}）？</translation>
    </message>
    <message>
        <source>PIN changed. Void again with the new PIN.</source>
        <translation>密码已修改，请用新密码再作废一次。</translation>
    </message>
</context>
<context>
    <name>RecoveryCodeDialog</name>
    <message>
        <source>Recovery code</source>
        <translation>恢复码</translation>
    </message>
    <message>
        <source>Write this code down and keep it somewhere safe, away from the counter. It unlocks a locked supervisor once; it is shown only now.</source>
        <translation>请抄下此码，存放在收银台以外的安全地方。它可解锁一次被锁定的主管；只显示这一次。</translation>
    </message>
    <message>
        <source>Print</source>
        <translation>打印</translation>
    </message>
    <message>
        <source>Printed.</source>
        <translation>已打印。</translation>
    </message>
</context>
<context>
    <name>ScanCodeField</name>
    <message>
        <source>Scan or type the beneficiary code</source>
        <translation>扫描或输入受助码</translation>
    </message>
</context>
<context>
    <name>ScanPreview</name>
    <message>
        <source>Camera off</source>
        <translation>摄像头未开启</translation>
    </message>
</context>
<context>
    <name>ServerPage</name>
    <message>
        <source>Test connection</source>
        <translation>测试连接</translation>
    </message>
    <message>
        <source>Connect to this server anew…</source>
        <translation>重新连接到此服务器…</translation>
    </message>
    <message>
        <source>Moving to another server needs a new one-time enrollment code from the foundation.</source>
        <translation>换到另一台服务器需要基金会提供新的一次性注册码。</translation>
    </message>
    <message>
        <source>Server address</source>
        <translation>服务器地址</translation>
    </message>
    <message>
        <source>Server</source>
        <translation>服务器</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Connected. Restart the counter to use the new server&apos;s data.</source>
        <translation>已连接。请重启收银程序以使用新服务器的数据。</translation>
    </message>
</context>
<context>
    <name>SetPinDialog</name>
    <message>
        <source>New PIN for {0}</source>
        <translation>为 {0} 设置新密码</translation>
    </message>
    <message>
        <source>Your PIN is too easy to guess. Choose a new one to go on.</source>
        <translation>您的密码太容易被猜到，请设置新密码后继续。</translation>
    </message>
    <message>
        <source>Current PIN</source>
        <translation>当前密码</translation>
    </message>
    <message>
        <source>New PIN (4-12 digits)</source>
        <translation>新密码（4到12位数字）</translation>
    </message>
    <message>
        <source>PIN again</source>
        <translation>再输一次密码</translation>
    </message>
    <message>
        <source>The two PINs differ</source>
        <translation>两次输入的密码不同</translation>
    </message>
</context>
<context>
    <name>SettingsDialog</name>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Nothing to set up here yet.</source>
        <translation>这里暂时没有可设置的项目。</translation>
    </message>
</context>
<context>
    <name>SettlementDialog</name>
    <message>
        <source>Day settlement</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Date range, to</source>
        <translation>按日期范围，至</translation>
    </message>
    <message>
        <source>Business day</source>
        <translation>营业日</translation>
    </message>
    <message>
        <source>Voided on</source>
        <translation>撤销日</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>单号</translation>
    </message>
    <message>
        <source>Original day</source>
        <translation>原营业日</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>补助</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>Export CSV…</source>
        <translation>导出 CSV…</translation>
    </message>
    <message>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <source>Print the settlement</source>
        <translation>打印日结</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>The last day is before the first.</source>
        <translation>结束日期早于开始日期。</translation>
    </message>
    <message>
        <source>A date range is at most 366 days.</source>
        <translation>日期范围最长 366 天。</translation>
    </message>
    <message>
        <source>Waiting to upload</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>Stuck: not uploaded</source>
        <translation>上传受阻</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已确认</translation>
    </message>
    <message>
        <source>Conflict</source>
        <translation>冲突</translation>
    </message>
    <message>
        <source>Rejected by the server</source>
        <translation>被服务器拒绝</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>已撤销</translation>
    </message>
    <message>
        <source>Reconciled with the foundation</source>
        <translation>已与基金会对账一致</translation>
    </message>
    <message>
        <source>Changed since reconciled: sync to check again</source>
        <translation>对账后有变化：请同步后重新对账</translation>
    </message>
    <message>
        <source>Differences with the foundation</source>
        <translation>对账有差异</translation>
    </message>
    <message>
        <source>Not reconciled yet (it is checked after a sync)</source>
        <translation>尚未对账（同步后自动对账）</translation>
    </message>
    <message>
        <source>{0} to {1}</source>
        <translation>{0} 至 {1}</translation>
    </message>
    <message>
        <source>{0} · {1} · reimbursable {2} · covered by aid {3} · customers paid {4} · awaiting verdict {5}</source>
        <translation>{0} · {1} · 应结算 {2} · 补助 {3} · 顾客自付 {4} · 待核定 {5}</translation>
    </message>
    <message numerus="yes">
        <source>%n redemption(s)</source>
        <translation>
            <numerusform>%n 笔核销</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s): {0}</source>
        <translation>
            <numerusform>%n 天：{0}</numerusform>
        </translation>
    </message>
    <message>
        <source>By program</source>
        <translation>按项目</translation>
    </message>
    <message>
        <source>By category</source>
        <translation>按品类</translation>
    </message>
    <message>
        <source>By status</source>
        <translation>按状态</translation>
    </message>
    <message>
        <source>By clerk (shift handover)</source>
        <translation>按收银员（交班）</translation>
    </message>
    <message>
        <source>none</source>
        <translation>无</translation>
    </message>
    <message>
        <source>Total (voided not counted)</source>
        <translation>合计（不含已撤销）</translation>
    </message>
    <message>
        <source>Adjustments: voids of earlier days ({0})</source>
        <translation>调整：撤销以前日期的兑换（{0} 笔）</translation>
    </message>
    <message>
        <source>Reimbursable {0} − adjustments {1} = net {2}</source>
        <translation>应结算 {0} − 调整 {1} = 调整后应结算 {2}</translation>
    </message>
    <message>
        <source>Time flagged, listed apart ({0})</source>
        <translation>时间存疑，单列（{0} 笔）</translation>
    </message>
    <message>
        <source>settlement</source>
        <translation>日结</translation>
    </message>
    <message>
        <source>Save the settlement</source>
        <translation>保存日结</translation>
    </message>
    <message>
        <source>CSV (Excel) files (*.csv)</source>
        <translation>CSV 表格文件 (*.csv)</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF 文件 (*.pdf)</translation>
    </message>
    <message>
        <source>Written: {0}</source>
        <translation>已写入：{0}</translation>
    </message>
    <message>
        <source>Could not write {0}: {1}</source>
        <translation>无法写入 {0}：{1}</translation>
    </message>
    <message>
        <source>No receipt printer is set up</source>
        <translation>尚未设置小票打印机</translation>
    </message>
    <message>
        <source>The settlement was sent to the printer</source>
        <translation>日结已发送到打印机</translation>
    </message>
</context>
<context>
    <name>SignInDialog</name>
    <message>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <source>Operator</source>
        <translation>操作员</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Locked out?</source>
        <translation>账号被锁？</translation>
    </message>
</context>
<context>
    <name>StaffDialog</name>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <source>Role</source>
        <translation>角色</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Add…</source>
        <translation>添加…</translation>
    </message>
    <message>
        <source>Set PIN…</source>
        <translation>设置密码…</translation>
    </message>
    <message>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>停用</translation>
    </message>
    <message>
        <source>New recovery code…</source>
        <translation>新恢复码…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>Signed in as supervisor {0}</source>
        <translation>当前主管：{0}</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>主管</translation>
    </message>
    <message>
        <source>Cashier</source>
        <translation>收银员</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>已停用</translation>
    </message>
    <message>
        <source>Locked ({0} wrong PINs)</source>
        <translation>已锁定（{0} 次密码错误）</translation>
    </message>
    <message>
        <source>Must change weak PIN</source>
        <translation>须修改密码（太简单）</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>正常</translation>
    </message>
    <message>
        <source>Choose an active operator first</source>
        <translation>请先选择一位在职操作员</translation>
    </message>
    <message>
        <source>Remove {0}</source>
        <translation>停用 {0}</translation>
    </message>
    <message>
        <source>Remove {0}? They can no longer sign in; their redemptions keep their name.</source>
        <translation>停用 {0}？停用后不能再登录；其核销记录仍显示此姓名。</translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <source>Manage staff…</source>
        <translation>管理员工…</translation>
    </message>
    <message>
        <source>Add or remove cashiers and supervisors, set PINs, unlock locked accounts, make a new recovery code.</source>
        <translation>添加或停用收银员和主管，设置密码，解锁被锁账号，生成新的恢复码。</translation>
    </message>
    <message>
        <source>Staff</source>
        <translation>员工</translation>
    </message>
</context>
<context>
    <name>StuckEntriesDialog</name>
    <message>
        <source>Entries the server did not take</source>
        <translation>服务器未接收的记录</translation>
    </message>
    <message>
        <source>Receipt</source>
        <translation>小票号</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>补助</translation>
    </message>
    <message>
        <source>Server&apos;s reason</source>
        <translation>服务器给出的原因</translation>
    </message>
    <message>
        <source>Retry</source>
        <translation>重试</translation>
    </message>
    <message>
        <source>Export…</source>
        <translation>导出…</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <source>void of </source>
        <translation>作废 </translation>
    </message>
    <message>
        <source>Nothing is stuck: every entry reached the server.</source>
        <translation>没有上传失败的记录：全部已送达服务器。</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Export for support</source>
        <translation>导出给技术支持</translation>
    </message>
    <message>
        <source>The file will contain the beneficiaries&apos; codes. Give it only to the foundation&apos;s support staff; never attach it to a support bundle, a chat or an e-mail to anyone else.</source>
        <translation>导出的文件含受助人的受助码。只可交给基金会技术支持，不要放入支持包，也不要通过聊天或邮件发给其他人。</translation>
    </message>
    <message>
        <source>JSON files (*.json)</source>
        <translation>JSON 文件 (*.json)</translation>
    </message>
</context>
<context>
    <name>SupervisorApprovalDialog</name>
    <message>
        <source>Supervisor approval</source>
        <translation>店长审批</translation>
    </message>
    <message>
        <source>Why is it voided?</source>
        <translation>撤销原因？</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <source>A reason is required</source>
        <translation>必须填写原因</translation>
    </message>
</context>
<context>
    <name>SupervisorPinDialog</name>
    <message>
        <source>Supervisor PIN</source>
        <translation>店长密码</translation>
    </message>
    <message>
        <source>Supervisor</source>
        <translation>店长</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
</context>
<context>
    <name>SyncStatusBar</name>
    <message>
        <source>Operator: {0}</source>
        <translation>操作员：{0}</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <source>Offline: this counter is not connected to a server</source>
        <translation>离线：本收银台尚未连接服务器</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <source>Sync failed: {0}</source>
        <translation>同步失败：{0}</translation>
    </message>
    <message>
        <source>last synced {0}</source>
        <translation>上次同步 {0}</translation>
    </message>
    <message>
        <source>never synced</source>
        <translation>从未同步</translation>
    </message>
    <message>
        <source>{0} waiting to upload ({1})</source>
        <translation>{0} 笔待上传（{1}）</translation>
    </message>
    <message>
        <source>{0} conflicts — see the records</source>
        <translation>{0} 笔冲突 — 请查看记录</translation>
    </message>
    <message>
        <source>{0} not taken by the server — see why</source>
        <translation>{0} 笔上传失败 — 点击查看原因</translation>
    </message>
</context>
<context>
    <name>TotalsModel</name>
    <message>
        <source>Item</source>
        <translation>项</translation>
    </message>
    <message>
        <source>Count</source>
        <translation>笔数</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>金额</translation>
    </message>
    <message>
        <source>Awaiting</source>
        <translation>待核定</translation>
    </message>
    <message>
        <source>Customer paid</source>
        <translation>顾客自付</translation>
    </message>
    <message>
        <source>Covered</source>
        <translation>补助</translation>
    </message>
    <message>
        <source>Reimbursable</source>
        <translation>应结算</translation>
    </message>
</context>
<context>
    <name>TypeCodeDialog</name>
    <message>
        <source>Enter a code</source>
        <translation>输入受助码</translation>
    </message>
</context>
<context>
    <name>sign_in</name>
    <message>
        <source>Choose a new PIN to go on.</source>
        <translation>请先设置新密码再继续。</translation>
    </message>
</context>
</TS>
