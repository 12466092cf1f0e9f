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
</TS>
