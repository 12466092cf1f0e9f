<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
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
    <name>CartEntry</name>
    <message>
        <source>Unit price in yuan, e.g. 12.50</source>
        <translation>单价（元），如 12.50</translation>
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
        <source>This code does not cover this category</source>
        <translation>此码不补助这一类别</translation>
    </message>
    <message>
        <source>The entitlement for this category is not active now</source>
        <translation>此类别的补助当前不在有效期内</translation>
    </message>
    <message>
        <source>The limit for this category is used up</source>
        <translation>此类别的额度已用完</translation>
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
        <source>Open photo…</source>
        <translation>打开图片…</translation>
    </message>
    <message>
        <source>Type code…</source>
        <translation>手动输入…</translation>
    </message>
    <message>
        <source>Remove line</source>
        <translation>删除此行</translation>
    </message>
    <message>
        <source>Next customer</source>
        <translation>下一位顾客</translation>
    </message>
    <message>
        <source>Confirm redemption</source>
        <translation>确认核销</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>收银台</translation>
    </message>
    <message>
        <source>Today&apos;s redemptions</source>
        <translation>今日核销</translation>
    </message>
    <message>
        <source>Lock</source>
        <translation>锁定</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>设置…</translation>
    </message>
    <message>
        <source>Still saving the last redemption; scan again in a moment</source>
        <translation>上一笔核销正在保存，请稍后再扫</translation>
    </message>
    <message>
        <source>Checking the code…</source>
        <translation>正在核验受助码…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <source>Recorded. Receipt {0}: covered {1}, customer pays {2}</source>
        <translation>已记录。小票 {0}：补助 {1}，顾客支付 {2}</translation>
    </message>
    <message>
        <source>Unlock the counter</source>
        <translation>解锁收银台</translation>
    </message>
    <message>
        <source>Something went wrong: {0}. Nothing was recorded.</source>
        <translation>出现错误：{0}。本次未记录任何内容。</translation>
    </message>
    <message>
        <source>Total {0}   Covered {1}</source>
        <translation>合计 {0}   补助 {1}</translation>
    </message>
    <message>
        <source>Customer pays {0}</source>
        <translation>顾客支付 {0}</translation>
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
    <name>FirstSupervisorDialog</name>
    <message>
        <source>Set up this counter</source>
        <translation>设置收银台</translation>
    </message>
    <message>
        <source>Create the first supervisor. Supervisors approve voids and add cashiers.</source>
        <translation>请创建第一位店长。店长可审批撤销并添加收银员。</translation>
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
        <source>Printer</source>
        <translation>打印机</translation>
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
</context>
<context>
    <name>ReceiptTableModel</name>
    <message>
        <source>Waiting to upload</source>
        <translation>待上传</translation>
    </message>
    <message>
        <source>Accepted</source>
        <translation>已接收</translation>
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
        <source>Redemptions</source>
        <translation>核销记录</translation>
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
    <message>
        <source>{0}: {1} redemptions · covered by aid {2} · customers paid {3} · voided {4} · reimbursable {5} · {6}</source>
        <translation>{0}：{1} 笔核销 · 补助 {2} · 顾客支付 {3} · 已撤销 {4} · 应结算 {5} · {6}</translation>
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
        <source>Void receipt {0} ({1} covered)?</source>
        <translation>撤销小票 {0}（补助 {1}）？</translation>
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
        <source>{0} conflicts — see recent redemptions</source>
        <translation>{0} 笔冲突 — 请查看今日核销</translation>
    </message>
</context>
<context>
    <name>TypeCodeDialog</name>
    <message>
        <source>Enter a code</source>
        <translation>输入受助码</translation>
    </message>
</context>
</TS>
