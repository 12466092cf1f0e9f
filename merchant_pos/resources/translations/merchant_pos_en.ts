<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>RecordsDialog</name>
    <message numerus="yes">
        <source>%n redemption(s)</source>
        <translation>
            <numerusform>%n redemption</numerusform>
            <numerusform>%n redemptions</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>SettlementDialog</name>
    <message numerus="yes">
        <source>%n redemption(s)</source>
        <translation>
            <numerusform>%n redemption</numerusform>
            <numerusform>%n redemptions</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n day(s): {0}</source>
        <translation>
            <numerusform>%n day: {0}</numerusform>
            <numerusform>%n days: {0}</numerusform>
        </translation>
    </message>
</context>
</TS>
